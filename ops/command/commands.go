package command

// commands lists the built-in commands that work on the pipeline.
func (env *Env) commands() []*Command {
	cmds := []*Command{env.statusCommand(), env.seedCommand()}
	cmds = append(cmds, env.ingestCommands()...)
	cmds = append(cmds, env.connectorCommands()...)
	cmds = append(append(cmds, env.toolCommands()...), env.benchCommands()...)
	cmds = append(cmds, env.streamCommands()...)
	cmds = append(cmds, env.streamJobCommands()...)
	cmds = append(cmds, env.dagCommands()...)
	cmds = append(cmds, env.jobCommands()...)
	cmds = append(cmds, env.deployCommand())
	return append(cmds, env.lakehouseCommands()...)
}
