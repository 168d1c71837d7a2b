package sink

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// Key returns the object key of the landing file whose first record is at offset start, in the
// layout of Confluent's S3 sink with the DefaultPartitioner and JsonFormat:
// topics/<topic>/partition=<p>/<topic>+<p>+<start %010d>.json.
func Key(topic string, partition int32, start int64) string {
	return fmt.Sprintf("topics/%s/partition=%d/%s+%d+%010d.json", topic, partition, topic, partition, start)
}

// Prefix returns the key prefix under which every landing file of one topic-partition lives.
func Prefix(topic string, partition int32) string {
	return fmt.Sprintf("%spartition=%d/", TopicPrefix(topic), partition)
}

// TopicPrefix returns the key prefix under which every landing file of one topic lives.
func TopicPrefix(topic string) string { return "topics/" + topic + "/" }

// ParseKey reads the topic, partition and start offset back from a landing key; ok is false for
// any key Key would not produce.
func ParseKey(key string) (topic string, partition int32, start int64, ok bool) {
	rest, found := strings.CutPrefix(key, "topics/")
	if !found {
		return "", 0, 0, false
	}
	dir, name, found := strings.Cut(rest, "/partition=")
	if !found {
		return "", 0, 0, false
	}
	p, name, found := strings.Cut(name, "/")
	if !found {
		return "", 0, 0, false
	}
	n, err := strconv.ParseInt(p, 10, 32)
	if err != nil {
		return "", 0, 0, false
	}
	name, found = strings.CutSuffix(name, ".json")
	head, offset, cut := cutLast(name, "+")
	if !found || !cut || len(offset) < 10 {
		return "", 0, 0, false
	}
	s, err := strconv.ParseInt(offset, 10, 64)
	if err != nil || s < 0 || Key(dir, int32(n), s) != key || head != dir+"+"+p {
		return "", 0, 0, false
	}
	return dir, int32(n), s, true
}

func cutLast(s, sep string) (before, after string, found bool) {
	i := strings.LastIndex(s, sep)
	if i < 0 {
		return s, "", false
	}
	return s[:i], s[i+len(sep):], true
}

// appendLine appends one record value and its newline to a landing file. Values land byte for
// byte as produced, with one exception that keeps a file one record per line: a value that is
// valid JSON but spans several lines (a pretty-printed object) is compacted, which changes only
// insignificant whitespace, like Connect's JsonConverter re-serialising it. A value that is not
// JSON lands unchanged even if it holds a newline, so nothing is ever lost; readers quarantine
// lines they cannot parse.
func appendLine(dst, value []byte) []byte {
	if bytes.IndexByte(value, '\n') >= 0 || bytes.IndexByte(value, '\r') >= 0 {
		var compact bytes.Buffer
		if json.Compact(&compact, value) == nil {
			return append(append(dst, compact.Bytes()...), '\n')
		}
	}
	return append(append(dst, value...), '\n')
}
