package gateway

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"unicode/utf8"
)

// Kinesis's limits on what a put carries, checked before the call so a record over them gets
// Kinesis's error without a round trip.
const (
	// MaxKinesisRecord is the largest record, its data before base64 plus its partition key.
	MaxKinesisRecord = 1 << 20
	// MaxPutRecords is the most records one PutRecords takes.
	MaxPutRecords = 500
	// MaxPutRecordsBytes is the most data and partition keys one PutRecords takes in all.
	MaxPutRecordsBytes = 5 << 20
	// maxPartitionKey is the longest partition key, in Unicode characters.
	maxPartitionKey = 256
)

// putRecordBody is the body of `PUT /streams/<s>/record` as the original emulator sends it. The
// stream is the one the path names, as the mapping template takes it from the path; the body's
// StreamName is not read.
type putRecordBody struct {
	Data         json.RawMessage `json:"Data"`
	PartitionKey json.RawMessage `json:"PartitionKey"`
}

// putRecordsBody is the body of `PUT /streams/<s>/records`, in the shape the original mapping
// template iterates: `$.records[*]` with `data` and `partition-key`.
type putRecordsBody struct {
	Records []struct {
		Data         json.RawMessage `json:"data"`
		PartitionKey json.RawMessage `json:"partition-key"`
	} `json:"records"`
}

// encodePutRecord turns the body of a record put into a PutRecord call: Data, which must be a
// JSON object, travels as the base64 of its compact JSON text, exactly as the template's
// `$util.base64Encode($input.json('$.Data'))` sends it.
func encodePutRecord(stream string, body []byte) ([]byte, *kinesisError) {
	var in putRecordBody
	if err := unmarshalObject(body, &in, `{"StreamName":"…","Data":{…},"PartitionKey":"…"}`); err != nil {
		return nil, err
	}
	data, err := objectData(in.Data, "Data")
	if err != nil {
		return nil, err
	}
	key, err := partitionKey(in.PartitionKey, "PartitionKey")
	if err != nil {
		return nil, err
	}
	if n := len(data) + len(key); n > MaxKinesisRecord {
		return nil, validation("the record is %d bytes of Data and PartitionKey, over Kinesis's limit of %d: send smaller rows", n, MaxKinesisRecord)
	}
	out := append([]byte(`{"StreamName":`), quote(stream)...)
	out = appendRecord(append(out, ','), data, key)
	return append(out, '}'), nil
}

// encodePutRecords turns the body of a records put into a PutRecords call. A record's data may
// be an object, sent as its compact JSON text, or a string, sent as the string's own text as
// the template's `$util.base64Encode($elem.data)` does.
func encodePutRecords(stream string, body []byte) ([]byte, *kinesisError) {
	var in putRecordsBody
	if err := unmarshalObject(body, &in, `{"records":[{"data":{…},"partition-key":"…"}]}`); err != nil {
		return nil, err
	}
	switch n := len(in.Records); {
	case n == 0:
		return nil, validation(`the body has no records: send {"records":[{"data":{…},"partition-key":"…"}]} with 1 to %d records`, MaxPutRecords)
	case n > MaxPutRecords:
		return nil, validation("the body has %d records, over Kinesis's limit of %d per PutRecords: split them over several requests", n, MaxPutRecords)
	}
	out := append([]byte(`{"StreamName":`), quote(stream)...)
	out = append(out, `,"Records":[`...)
	total := 0
	for i, r := range in.Records {
		field := fmt.Sprintf("records[%d].data", i)
		data, err := recordsData(r.Data, field)
		if err != nil {
			return nil, err
		}
		key, err := partitionKey(r.PartitionKey, fmt.Sprintf("records[%d].partition-key", i))
		if err != nil {
			return nil, err
		}
		n := len(data) + len(key)
		if n > MaxKinesisRecord {
			return nil, validation("records[%d] is %d bytes of data and partition key, over Kinesis's limit of %d: send smaller records", i, n, MaxKinesisRecord)
		}
		if total += n; total > MaxPutRecordsBytes {
			return nil, validation("the records hold more than %d bytes in all, Kinesis's limit per PutRecords: split them over several requests", MaxPutRecordsBytes)
		}
		if i > 0 {
			out = append(out, ',')
		}
		out = append(appendRecord(append(out, '{'), data, key), '}')
	}
	return append(out, "]}"...), nil
}

// createStreamBody is the optional body of `POST /streams/<s>`.
type createStreamBody struct {
	ShardCount *int32 `json:"ShardCount"`
}

// encodeCreateStream turns a stream creation into a CreateStream call with the body's
// ShardCount, or DefaultShardCount when there is no body or it names none.
func encodeCreateStream(stream string, body []byte) ([]byte, *kinesisError) {
	shards := int32(DefaultShardCount)
	if len(bytes.TrimSpace(body)) > 0 {
		var in createStreamBody
		if err := unmarshalObject(body, &in, `{"ShardCount":5}`); err != nil {
			return nil, err
		}
		if in.ShardCount != nil {
			shards = *in.ShardCount
		}
	}
	out := fmt.Appendf(nil, `{"ShardCount":%d,"StreamName":`, shards)
	return append(append(out, quote(stream)...), '}'), nil
}

// streamOnly is the call of an operation that takes nothing but the stream's name.
func streamOnly(stream string) []byte {
	return append(append([]byte(`{"StreamName":`), quote(stream)...), '}')
}

// unmarshalObject decodes a request body that must be one JSON object; want shows its shape in
// the refusal.
func unmarshalObject(body []byte, v any, want string) *kinesisError {
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 || trimmed[0] != '{' {
		return &kinesisError{Type: "SerializationException", Message: "the body is not a JSON object: send " + want}
	}
	if err := json.Unmarshal(trimmed, v); err != nil {
		var typeErr *json.UnmarshalTypeError
		if errors.As(err, &typeErr) {
			return validation("%s is a JSON %s, which it cannot be: send %s", typeErr.Field, typeErr.Value, want)
		}
		return &kinesisError{Type: "SerializationException", Message: fmt.Sprintf("the body is not valid JSON (%v): send %s", err, want)}
	}
	return nil
}

// objectData returns the compact JSON text of a record's data, which must be an object.
func objectData(raw json.RawMessage, field string) ([]byte, *kinesisError) {
	if len(raw) == 0 || string(raw) == "null" {
		return nil, validation("%s is missing: send the row as a JSON object, e.g. {\"Data\":{\"index\":1}}", field)
	}
	if raw[0] != '{' {
		return nil, validation("%s is a JSON %s, not an object: send the row itself as %s, e.g. {\"Data\":{\"index\":1}}, not its text", field, jsonKind(raw[0]), field)
	}
	var out bytes.Buffer
	if err := json.Compact(&out, raw); err != nil {
		return nil, &kinesisError{Type: "SerializationException", Message: fmt.Sprintf("%s is not valid JSON: %v", field, err)}
	}
	return out.Bytes(), nil
}

// recordsData returns the bytes a PutRecords record carries: an object's compact JSON text or a
// string's own text.
func recordsData(raw json.RawMessage, field string) ([]byte, *kinesisError) {
	if len(raw) > 0 && raw[0] == '"' {
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return nil, &kinesisError{Type: "SerializationException", Message: fmt.Sprintf("%s is not a valid JSON string: %v", field, err)}
		}
		return []byte(s), nil
	}
	return objectData(raw, field)
}

// partitionKey returns a record's partition key, which must be a string of 1 to 256 characters.
func partitionKey(raw json.RawMessage, field string) (string, *kinesisError) {
	if len(raw) == 0 || string(raw) == "null" {
		return "", validation("%s is missing: every record needs a partition key of 1 to %d characters, e.g. a uuid", field, maxPartitionKey)
	}
	var key string
	if raw[0] != '"' || json.Unmarshal(raw, &key) != nil {
		return "", validation("%s is a JSON %s, not a string: send a partition key of 1 to %d characters, e.g. a uuid", field, jsonKind(raw[0]), maxPartitionKey)
	}
	if n := utf8.RuneCountInString(key); n < 1 || n > maxPartitionKey {
		return "", validation("%s has %d characters: a partition key has 1 to %d", field, n, maxPartitionKey)
	}
	return key, nil
}

// appendRecord writes the Data and PartitionKey fields of one record.
func appendRecord(out, data []byte, key string) []byte {
	out = append(out, `"Data":"`...)
	out = base64.StdEncoding.AppendEncode(out, data)
	out = append(out, `","PartitionKey":`...)
	return append(out, quote(key)...)
}

func quote(s string) []byte {
	b, _ := json.Marshal(s)
	return b
}

// jsonKind names the kind of JSON value that starts with c.
func jsonKind(c byte) string {
	switch c {
	case '"':
		return "string"
	case '[':
		return "array"
	case 't', 'f':
		return "boolean"
	case 'n':
		return "null"
	case '{':
		return "object"
	}
	return "number"
}
