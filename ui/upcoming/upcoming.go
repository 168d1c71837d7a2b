// Package upcoming draws the screens whose capability arrives later in the pipeline's build-out
// (DAGs, Jobs): each says what will fill it and which command to run meanwhile, rather than
// showing invented numbers. They share one package because they share
// all behaviour; each becomes its own package when its data source lands.
package upcoming

import (
	"strings"

	tea "charm.land/bubbletea/v2"

	"github.com/pintui/pintui/ui/screen"
)

// Plan is what an upcoming screen promises.
type Plan struct {
	ID    screen.ID
	Name  string
	Title string
	// Will says what the screen will show, one item per line.
	Will []string
	// Meanwhile names the commands to run until then.
	Meanwhile []string
}

// Plans are the upcoming screens in number-key order.
var Plans = []Plan{
	{screen.DAGs, "dags", "DAGs",
		[]string{"the <uid>_dag runs and their task instances", "trigger a run (asks first; refused in read-only profiles)"},
		[]string{"status"}},
	{screen.Jobs, "jobs", "Jobs",
		[]string{"batch and stream job runs: state, duration and output", "run now (asks first; refused in read-only profiles)"},
		[]string{"tables", "analytics"}},
}

// Model is one upcoming screen.
type Model struct {
	ctx  *screen.Context
	plan Plan
}

// New returns the upcoming screen for plan.
func New(ctx *screen.Context, plan Plan) *Model { return &Model{ctx: ctx, plan: plan} }

// ID is the screen's number.
func (m *Model) ID() screen.ID { return m.plan.ID }

// Name is the palette name.
func (m *Model) Name() string { return m.plan.Name }

// Title is the tab label.
func (m *Model) Title() string { return m.plan.Title }

// Enter fetches nothing: there is nothing real to show yet.
func (m *Model) Enter() tea.Cmd { return nil }

// Update ignores every message.
func (m *Model) Update(tea.Msg) (screen.Screen, tea.Cmd) { return m, nil }

// Capturing is always false.
func (m *Model) Capturing() bool { return false }

// Leave has nothing to stop.
func (m *Model) Leave() {}

// Back has nothing to close.
func (m *Model) Back() (screen.Screen, tea.Cmd) { return m, nil }

// View draws the plan in width×height cells.
func (m *Model) View(width, height int) string {
	s := m.ctx.Styles
	lines := []string{
		s.Title.Render(m.plan.Title) + s.Muted.Render("  not available yet"),
		"",
		s.Text.Render("This screen will show:"),
	}
	for _, w := range m.plan.Will {
		lines = append(lines, s.Text.Render("  • "+w))
	}
	lines = append(lines, "", s.Text.Render("Until then, type : and run:"))
	for _, c := range m.plan.Meanwhile {
		lines = append(lines, s.HelpKey.Render("  :"+c))
	}
	return screen.Fill(strings.Join(lines, "\n"), width, height)
}
