package streams

import (
	"time"

	"github.com/pintui/pintui/ops/kinesis"
)

// checkFrom refuses a start `tail stream --from` would refuse, saying which starts it takes.
func checkFrom(from string, now time.Time) error {
	_, err := kinesis.ParseFrom(from, now)
	return err
}
