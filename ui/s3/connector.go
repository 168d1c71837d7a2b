package s3

import (
	"github.com/charmbracelet/x/ansi"

	"github.com/pintui/pintui/ops/command"
	"github.com/pintui/pintui/ui/component/units"
	"github.com/pintui/pintui/ui/screen"
)

// setConnector shows the MSK Connect connector that `sink status` answers with in a cloud
// profile: its line above its group's lag per topic partition.
func (m *Model) setConnector(st command.ConnectorStatus) {
	m.connector = &st
	t := st.TextTable()
	m.sink.SetRows(t.Columns, units.Cells(t.Columns, t.Rows, map[string]units.Format{
		"committed": units.Count, "end": units.Count, "lag": units.Count,
	}))
}

// connectorLines are the lines the connector takes above the lag table: its state and
// capacity, and why it failed when it did.
func (m *Model) connectorLines() int {
	if m.connector == nil {
		return 0
	}
	if m.connector.FailureReason != "" || m.connector.LagError != "" {
		return 2
	}
	return 1
}

// connectorView draws the connector's lines in width cells: its state word in the state's
// colour after the state's symbol, so it reads without colour, then the failure in red.
func (m *Model) connectorView(width int) string {
	s, k := m.ctx.Styles, m.connector
	state := command.StateReady
	switch k.State {
	case "RUNNING":
		state = command.StateRunning
	case "FAILED", "DELETING":
		state = command.StateDown
	}
	st, sym := s.State(state)
	about := " · " + k.WorkersText()
	if k.Plugin != "" {
		about += " · plugin " + k.Plugin
	}
	line := "  " + s.PanelTitle.Render(k.Connector) + " " + st.Render(sym+" "+k.State) + s.Muted.Render(about+" · group "+k.Group)
	out := ansi.Truncate(line, width, "…")
	switch {
	case k.FailureReason != "":
		out += "\n" + s.Error.Render(ansi.Truncate("  failed: "+k.FailureReason, width, "…"))
	case k.LagError != "":
		out += "\n" + s.Error.Render(ansi.Truncate("  lag not known: "+k.LagError, width, "…"))
	}
	return screen.Fill(out, width, m.connectorLines())
}
