package s3

import (
	"fmt"
	"strconv"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/pintui/pintui/ops/command"
	"github.com/pintui/pintui/ui/component/prompt"
	"github.com/pintui/pintui/ui/component/units"
	"github.com/pintui/pintui/ui/screen"
)

// MaxRows bounds the entries a listing keeps as it pages on: past it the oldest are dropped, and
// the summary line says how many.
const MaxRows = 10_000

// listKind is the listing asked for.
type listKind int

// The listings: the first page under the prefix, the page after the last one shown, and the
// newest entries under the prefix.
const (
	first listKind = iota + 1
	more
	newest
)

// entry is one listed folder or object; size is -1 for a folder.
type entry struct {
	key      string
	size     int64
	modified string
}

// pages is the listing under one prefix as it grows page by page.
type pages struct {
	max     int               // entries kept
	size    int               // entries per page; 0 asks for the command's default, 1,000
	entries []entry           // in the order listed
	keys    map[string]string // the full key of each name the table shows
	next    string            // the token of the page that follows, "" when none does
	dropped int               // entries dropped from the front to keep within max
	earlier bool              // entries come before the first one kept, as after G
	asking  listKind          // the listing asked for and not answered yet, 0 when none
}

// ls asks for a listing under the prefix: the first page, the page of token, or the newest.
func (m *Model) ls(kind listKind, token string) tea.Cmd {
	line := "s3 ls"
	if m.prefix != "" {
		line += " " + screen.Quote(m.prefix)
	}
	switch kind {
	case more:
		line += " --token " + screen.Quote(token)
	case newest:
		line += " --last " + strconv.Itoa(orDefault(m.pages.size, 1000))
	}
	if m.pages.size > 0 {
		line += " --limit " + strconv.Itoa(m.pages.size)
	}
	cmd, t := m.ctx.Run(screen.S3, line)
	m.listTicket, m.pages.asking = t, kind
	return cmd
}

// orDefault is n, or def when n is 0.
func orDefault(n, def int) int {
	if n == 0 {
		return def
	}
	return n
}

// setListing takes a listing's entries: a next page is appended, dropping the oldest past
// max; any other listing replaces what is shown.
func (m *Model) setListing(l command.S3Listing) {
	p := &m.pages
	if p.asking != more {
		p.entries, p.dropped, p.earlier = nil, 0, false
	}
	for _, pr := range l.Prefixes {
		p.entries = append(p.entries, entry{key: pr, size: -1})
	}
	for _, o := range l.Objects {
		p.entries = append(p.entries, entry{key: o.Key, size: o.SizeBytes, modified: o.Modified.UTC().Format("2006-01-02 15:04:05")})
	}
	p.next, p.earlier = "", p.earlier || l.Earlier
	if l.Truncated {
		p.next = l.NextToken
	}
	over := max(len(p.entries)-p.max, 0)
	p.entries = p.entries[over:]
	p.dropped += over
	m.showEntries()
	m.list.Move(-over) // the cursor stays on its entry
	if p.asking == newest {
		m.list.Bottom()
	}
}

// showEntries fills the table, each key shown relative to the folder being browsed, sizes in
// KiB.
func (m *Model) showEntries() {
	folder := m.prefix[:strings.LastIndex(m.prefix, "/")+1]
	m.pages.keys = map[string]string{}
	rows := make([][]string, 0, len(m.pages.entries))
	for _, e := range m.pages.entries {
		name := strings.TrimPrefix(e.key, folder)
		m.pages.keys[name] = e.key
		if e.size < 0 {
			rows = append(rows, []string{name, "-", ""})
			continue
		}
		rows = append(rows, []string{name, units.Bytes(e.size), e.modified})
	}
	m.list.SetRows([]string{"key", "size", "modified"}, rows)
}

// summary says what the listing shows and what it does not: the pages still to follow, the
// entries before the newest, the oldest dropped. next and top name the keys that list the next
// and the first page.
func (p *pages) summary(prefix, next, top string) string {
	under := prefix
	if under == "" {
		under = "the bucket root"
	}
	objects := 0
	for _, e := range p.entries {
		if e.size >= 0 {
			objects++
		}
	}
	msg := fmt.Sprintf("%s, %s under %s", units.Plural(objects, "object", "objects"), units.Plural(len(p.entries)-objects, "prefix", "prefixes"), under)
	if p.earlier {
		msg += " · the newest; earlier ones come before: " + top + " lists from the start"
	}
	if p.dropped > 0 {
		msg += fmt.Sprintf(" · the first %s dropped to keep %s", units.Count(int64(p.dropped)), units.Count(int64(p.max)))
	}
	if p.next != "" {
		msg += fmt.Sprintf(" · %s of many · more follow: %s or ↓ at the end lists them", units.Count(int64(len(p.entries))), next)
	}
	return msg
}

// move moves through the listing: past its end, or with n, the next page is listed; G lists the
// newest entries when more follow, and g the first page again when earlier ones were left out.
func (m *Model) move(msg tea.KeyPressMsg) tea.Cmd {
	k := m.ctx.Keys
	atEnd := m.list.Len() == 0 || m.list.Cursor() == m.list.Len()-1
	switch {
	case key.Matches(msg, k.NextPage), atEnd && (key.Matches(msg, k.Down) || key.Matches(msg, k.PageDown)):
		if m.pages.next != "" && m.pages.asking == 0 {
			return m.ls(more, m.pages.next)
		}
		return nil
	case key.Matches(msg, k.Bottom) && m.pages.next != "":
		return m.ls(newest, "")
	case key.Matches(msg, k.Top) && (m.pages.earlier || m.pages.dropped > 0):
		m.list.Top()
		return m.fetchList()
	}
	k.Move(msg, m.list)
	return nil
}

// typed feeds a key to the prefix prompt; enter lists under the typed prefix, on the server, so
// it reaches entries past the first page.
func (m *Model) typed(msg tea.KeyPressMsg) tea.Cmd {
	switch m.goTo.Update(msg) {
	case prompt.Cancelled:
		m.typing = false
	case prompt.Submitted:
		m.typing = false
		m.prefix = strings.TrimPrefix(strings.TrimSpace(m.goTo.Value()), "/")
		m.open = ""
		m.filter.Clear()
		m.list.Top()
		return m.fetchList()
	}
	return nil
}
