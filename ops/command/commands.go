package command

// commands lists the built-in commands that work on the pipeline.
func (env *Env) commands() []*Command {
	return []*Command{
		env.seedCommand(),
	}
}
