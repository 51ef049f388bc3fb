// Facilitation on the board page: connects the session doc and, by role, the drafts tray,
// dot voting, the timer, follow me, the facilitator panel or the wall, and lets the phase
// decide what participants may do (boards/facilitation.py has the same rules).
import { boardApi } from '../core/api.js'
import { Clock, SessionClient, PHASES, capabilitiesFor } from './session.js'
import { TimerDisplay } from './timer.js'
import { OutlineVotes, ResultsPanel, Votes, VoteLayer } from './votes.js'
import { DraftsTray } from './drafts.js'
import { Follow } from './follow.js'
import { FacilitatorPanel, phaseNames } from './facilitator.js'
import { WallView } from './wall.js'
import { checkpointBanner } from './checkpoints.js'
import { exportMenu } from './exports.js'
import { FormuleraWall, ProposalTray } from './formulera.js'

const PANEL_PREF = 'samsyn-facil-panel'

function phaseHint (t, state, role) {
  if (role === 'facilitator') {
    return state.phase.name === 'brainstorm' ? t('phase.hint_brainstorm_facilitator') : t('phase.hint_facilitator')
  }
  if (state.lock.content) return t('phase.hint_locked')
  switch (state.phase.name) {
    case 'brainstorm': return t('phase.hint_brainstorm')
    case 'cluster': return t('phase.hint_cluster')
    case 'vote':
      if (!state.voting.open) return t('phase.hint_vote_closed')
      return state.board.notes_while_voting ? t('phase.hint_vote_notes') : t('phase.hint_vote')
    case 'discuss': return state.formulera.open ? t('phase.hint_formulera') : t('phase.hint_discuss')
    default: return t('phase.hint_closed')
  }
}

/** Start everything facilitation adds to the page; returns the parts (for tests and debugging). */
export function startWorkshop ({ config, t, lang, doc, renderer, outline = null, input, root, access, onClosed = () => {} }) {
  const api = boardApi(config.board_id)
  const boardRoot = root.querySelector('[data-board-root]') || root
  if (config.checkpoint_id) {
    document.body.classList.add('checkpoint-view')
    document.querySelector('[data-board-root-header]')?.after(checkpointBanner({ api, config, t, lang }))
    return { api }
  }

  const role = config.role
  const names = phaseNames(t)
  const clock = new Clock().start()
  const session = new SessionClient({ config, onState: (state, code) => onClosed(code) })
  const timer = new TimerDisplay({ clock, t, className: role === 'wall' ? 'timer wall-timer' : 'timer' })
  const votes = role === 'wall' ? null : new Votes({ api, t, onChange: () => showVotes() })
  const voteLayer = new VoteLayer({ doc, canvas: renderer.canvas, t, lang, votes, zoom: () => renderer.camera.zoom })
  const outlineVotes = outline && role !== 'wall' ? new OutlineVotes({ outline, doc, t, lang, votes }) : null
  // After the vote everyone sees the ranking (the facilitator in the panel, the room on the wall).
  const results = role === 'participant' ? new ResultsPanel({ doc, t, lang }) : null
  if (results) boardRoot.append(results.el)
  const follow = new Follow({ role, input, renderer, api, doc, onChange: () => showFollow() })
  // Escape in a private note hands the keys back to the board, so N starts the next one.
  const drafts = role === 'participant'
    ? new DraftsTray({ config, t, board: doc, onState: (state, code) => onClosed(code), onLeave: () => leaveField() })
    : null
  if (drafts) boardRoot.append(drafts.el)
  // The formulera round: participants draft the themes' statements in their own tray.
  const proposals = role === 'participant' ? new ProposalTray({ config, t, doc, onLeave: () => leaveField() }) : null
  if (proposals) boardRoot.append(proposals.el)

  let panel = null
  let wall = null
  const bar = role === 'wall' ? null : workshopBar({ t, names, timer, role, exports: exportMenu({ boardId: config.board_id, t }) })
  if (bar) document.querySelector('[data-board-root-header]')?.after(bar.el)
  if (role === 'facilitator') {
    panel = new FacilitatorPanel({ config, t, lang, api, doc, follow })
    boardRoot.append(panel.el)
    const open = localStorage.getItem(PANEL_PREF) !== 'closed'
    setPanelOpen(open)
    bar.toggle.addEventListener('click', () => {
      const next = panel.el.hidden
      setPanelOpen(next)
      localStorage.setItem(PANEL_PREF, next ? 'open' : 'closed')
      if (next) panel.el.querySelector('h2')?.focus?.()
    })
  }
  if (role === 'wall') {
    wall = new WallView({ config, t, lang, doc, timer, phaseNames: names })
    wall.mount(boardRoot)
  }
  const formuleraWall = role === 'wall' ? new FormuleraWall({ t, doc }) : null
  formuleraWall?.mount(boardRoot)

  function setPanelOpen (open) {
    panel.el.hidden = !open
    bar.toggle.setAttribute('aria-expanded', String(open))
    document.body.classList.toggle('facil-panel-open', open)
  }

  // In the silent brainstorm a participant's new notes go to their private drafts,
  // from the canvas's N and toolbar and from the outline's buttons alike.
  const addToBoard = input.addNote.bind(input)
  let silent = false
  input.addNote = (at = null) => (silent && drafts ? drafts.add() : addToBoard(at))
  if (outline) outline.interceptAdd = (section) => (silent && drafts ? drafts.add(section ?? undefined) !== null : false)

  function leaveField () {
    if (outline?.visible) outline.container.querySelector('button')?.focus({ preventScroll: true })
    else input.viewport.focus({ preventScroll: true })
  }

  function applyRules (state) {
    if (role === 'wall') return
    const caps = capabilitiesFor(state, role)
    silent = caps.silentNotes
    drafts?.setCurrentQuestion(state.board.question)
    drafts?.setActive(caps.silentNotes)
    if (role !== 'participant') return
    // Participants may lose the right to edit while the page is open: the input, the
    // toolbar and the fields follow board/access.js.
    access.set(!caps.edit)
    access.setRules(caps, config.participant_id)
    for (const b of root.querySelectorAll('[data-action="add-note"]')) b.disabled = !caps.addNotes
    for (const b of root.querySelectorAll('[data-action="add-cluster"]')) b.disabled = !access.mayChangeClusters()
  }

  function showVotes () {
    voteLayer.schedule()
    outlineVotes?.draw()
    if (!bar) return
    const state = session.state
    const open = session.synced && state.voting.open
    const remaining = votes.state.remaining
    bar.votes.hidden = !open || remaining === null
    if (remaining !== null) {
      const max = Number(state.voting.max_per_item) || 0
      const left = t(remaining === 1 ? 'vote.remaining_one' : 'vote.remaining_many', { count: remaining })
      bar.votes.dataset.votesRemaining = String(remaining)
      bar.votes.textContent = max ? `${left} · ${t('vote.max_short', { count: max })}` : left
    }
    const message = votes.message()
    if (message) {
      bar.message.textContent = message
      clearTimeout(showVotes.clear)
      showVotes.clear = setTimeout(() => { bar.message.textContent = '' }, 6000)
    }
  }

  function showFollow () {
    if (!bar || role !== 'participant') return
    const active = Boolean(follow.follow.active)
    bar.follow.hidden = !active
    bar.follow.dataset.following = String(follow.following)
    bar.followText.textContent = follow.following ? t('facil.following') : t('facil.follow_available')
    bar.followButton.textContent = follow.following ? t('facil.break_away') : t('facil.follow_again')
  }
  if (bar && role === 'participant') {
    bar.followButton.addEventListener('click', () => (follow.following ? follow.breakAway() : follow.followAgain()))
  }

  session.onChange((state, previous) => {
    applyRules(state)
    timer.update(state.timer)
    const votingChanged = !previous ||
      previous.voting.open !== state.voting.open || previous.voting.budget !== state.voting.budget ||
      previous.voting.round !== state.voting.round // votes were reset: my old dots are gone
    if (votes) votes.maxPerItem = Number(state.voting.max_per_item) || 0
    if (votes && votingChanged) votes.load()
    voteLayer.setSession(state, role !== 'wall')
    outlineVotes?.setSession(state, role !== 'wall')
    results?.update(state)
    if (!previous || JSON.stringify(previous.follow) !== JSON.stringify(state.follow)) follow.update(state.follow)
    if (!previous || previous.board.anonymous !== state.board.anonymous) {
      renderer.setAnonymous(state.board.anonymous)
      outline?.setAnonymous(state.board.anonymous)
    }
    if (bar) bar.update(state, phaseHint(t, state, role))
    panel?.update(state)
    wall?.update(state)
    proposals?.update(state.formulera, capabilitiesFor(state, role).propose)
    formuleraWall?.update(state.formulera)
    showVotes()
    showFollow()
  })

  return { api, clock, session, timer, votes, voteLayer, outlineVotes, results, follow, drafts, proposals, panel, wall, formuleraWall }
}



/** The strip under the header everyone sees: phases, what to do now, timer, my votes, downloads. */
function workshopBar ({ t, names, timer, role, exports }) {
  const el = document.createElement('div')
  el.className = 'workshop-bar'
  el.setAttribute('role', 'region')
  el.setAttribute('aria-label', t('facil.bar_label'))
  el.dataset.phase = ''
  const steps = document.createElement('ol')
  steps.className = 'phase-steps'
  steps.setAttribute('aria-label', t('phase.steps_label'))
  const items = new Map()
  for (const name of PHASES) {
    const li = document.createElement('li')
    li.className = 'phase-step'
    li.dataset.phase = name
    li.dataset.step = String(PHASES.indexOf(name) + 1) // the number shown, also when alone
    li.textContent = names[name]
    items.set(name, li)
    steps.append(li)
  }
  const hint = document.createElement('p')
  hint.className = 'phase-hint'
  hint.dataset.phaseHint = ''
  const lock = document.createElement('span')
  lock.className = 'lock-badge'
  lock.textContent = t('facil.locked')
  lock.hidden = true
  const votes = document.createElement('span')
  votes.className = 'votes-left'
  votes.hidden = true
  const message = document.createElement('p')
  message.className = 'vote-message'
  message.setAttribute('role', 'status')
  message.setAttribute('aria-live', 'polite')
  const follow = document.createElement('span')
  follow.className = 'follow-status'
  follow.hidden = true
  const followText = document.createElement('span')
  const followButton = document.createElement('button')
  followButton.type = 'button'
  followButton.className = 'button small'
  follow.append(followText, followButton)
  const end = document.createElement('div')
  end.className = 'workshop-bar-end'
  end.append(message, votes, follow, lock, timer.el, exports)
  let toggle = null
  if (role === 'facilitator') {
    toggle = document.createElement('button')
    toggle.type = 'button'
    toggle.className = 'button'
    toggle.dataset.action = 'toggle-panel'
    toggle.setAttribute('aria-controls', 'samsyn-facil-panel')
    toggle.setAttribute('aria-expanded', 'false')
    toggle.textContent = t('facil.panel')
    end.append(toggle)
  }
  el.append(steps, hint, end)
  // Keys pressed on these controls are theirs, not the board's shortcuts.
  el.addEventListener('keydown', (event) => { if (event.target.closest('button, summary, a')) event.stopPropagation() })
  return {
    el, votes, message, follow, followText, followButton, toggle,
    update (state, hintText) {
      el.dataset.phase = state.phase.name
      // The board's CSS shows each cluster's statement field in the discuss phase.
      document.body.dataset.phase = state.phase.name
      for (const [name, li] of items) {
        if (name === state.phase.name) li.setAttribute('aria-current', 'step')
        else li.removeAttribute('aria-current')
      }
      if (hint.textContent !== hintText) hint.textContent = hintText
      lock.hidden = !state.lock.content
    }
  }
}
