package command

// commands lists the built-in commands that work on the pipeline.
func (env *Env) commands() []*Command {
	cmds := []*Command{env.statusCommand(), env.seedCommand()}
	cmds = append(cmds, env.ingestCommands()...)
	return append(cmds, env.lakehouseCommands()...)
}
