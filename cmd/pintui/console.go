package main

import "context"

// console starts the interactive console.
func (a *app) console(ctx context.Context) error {
	_ = ctx
	return usageError("the console is not built into this binary yet")
}
