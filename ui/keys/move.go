package keys

import (
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
)

// Mover is what the movement keys move: a table's cursor or a pager's view.
type Mover interface {
	Move(n int)
	Top()
	Bottom()
	Page(n int)
}

// Move applies msg to m when it is a movement key (up, down, top, bottom, page down or up) and
// reports whether it was one, so every list and pager of the console moves alike.
func (k *KeyMap) Move(msg tea.KeyPressMsg, m Mover) bool {
	switch {
	case key.Matches(msg, k.Up):
		m.Move(-1)
	case key.Matches(msg, k.Down):
		m.Move(1)
	case key.Matches(msg, k.Top):
		m.Top()
	case key.Matches(msg, k.Bottom):
		m.Bottom()
	case key.Matches(msg, k.PageDown):
		m.Page(1)
	case key.Matches(msg, k.PageUp):
		m.Page(-1)
	default:
		return false
	}
	return true
}
