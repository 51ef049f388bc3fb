"""Load benchmark: Samsyn against peer Yjs websocket servers, in one run."""
