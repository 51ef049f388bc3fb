// Pure mutations of the board content doc (schema 1 of DESIGN.md). No DOM, no network:
// everything here runs in node for the unit tests. One module per concern under model/;
// this file is the doc model's one public face.
export {
  SCHEMA, LOCAL_ORIGIN, change, NOTE_COLORS, DEFAULT_NOTE_COLOR, NOTE_SIZE, DEFAULT_CLUSTER_SIZE,
  CLUSTER_MIN_SIZE, newId, roots, initMeta, applyTextChange
} from './model/doc.js'
export {
  createNote, getNote, noteText, setNoteText, moveNote, placeNote, recolorNote, setNoteCluster,
  deleteNote, readNote, setPlanField
} from './model/notes.js'
export {
  createCluster, getCluster, clusterTitle, clusterStatement, setClusterTitle, moveCluster, resizeCluster,
  recolorCluster, deleteCluster, readCluster, clusterAt, clusterNotes
} from './model/clusters.js'
export { createSection, readSection, sectionAt, sectionBox } from './model/sections.js'
export { contentBounds } from './model/bounds.js'
export { moveItems, duplicateNotes, deleteItems, groupIntoCluster, addClusterAt, freeNoteSpot } from './model/selection.js'
export {
  CLUSTER_PADDING, CLUSTER_HEADER, GRID_GAP, gridColumns, gridSlot, tidyCluster,
  moveNoteToCluster, addNoteToCluster, writeClusterLayout
} from './model/grid.js'
export {
  SECTION_HEADER, LAYOUT_PAD, LAYOUT_GAP, clusterSize, clusterSlot, packBelow, boardLayout,
  clusterAtPoint, freeSpot, occupiedBoxes, arrangeBoard, overlaps
} from './model/layout.js'
export { findNotes, outline } from './model/reading.js'
export { hasProposals, readProposals, createProposal, proposalText, setProposalBy } from './model/proposals.js'
