// Package stream is the stream job of the pipeline: it reads the three Kinesis streams
// streaming-<uid>-pin, -geo and -user shard by shard from their earliest record (or from its
// checkpoint), cleans each micro-batch with pipeline/clean and appends it exactly once to the
// Delta stream tables <uid>_pin_table, <uid>_geo_table and <uid>_user_table. It reads through the
// small Reader interface, so the same job runs against the local Kinesis and AWS.
package stream

import "github.com/pintui/pintui/pipeline/record"

// StreamName returns the Kinesis stream the streaming emulator posts table's records to,
// streaming-<uid>-<table>.
func StreamName(uid string, table record.Table) string {
	return "streaming-" + uid + "-" + string(table)
}

// Streams returns the pipeline's three streams in the order the emulators post to them.
func Streams(uid string) []string {
	names := make([]string, len(record.Tables))
	for i, t := range record.Tables {
		names[i] = StreamName(uid, t)
	}
	return names
}

// TableName returns the Delta stream table the job appends table's cleaned rows to,
// <uid>_<table>_table.
func TableName(uid string, table record.Table) string {
	return uid + "_" + string(table) + "_table"
}
