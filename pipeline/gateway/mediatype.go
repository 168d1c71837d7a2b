package gateway

import (
	"strconv"
	"strings"
)

// Response media types: the REST Proxy's own, and plain JSON for clients that ask for it.
const (
	mediaKafkaV2 = "application/vnd.kafka.v2+json"
	mediaJSON    = "application/json"
)

// contentFormat maps a produce request's Content-Type to its embedded format. It follows the
// REST Proxy: `application/vnd.kafka[.<format>][.v2]+json`, and the less specific
// `application/json` and `application/octet-stream`, which name no format and so mean binary.
// Parameters such as `; charset=utf-8` are ignored; a missing header is read as
// `application/octet-stream`, as HTTP prescribes.
//
// The schema formats (avro, jsonschema, protobuf) are answered with 415, not 422: their
// records can only be produced through a schema registry, and this gateway has none, so no
// body of those types can ever be accepted here — the media type itself is what is unsupported,
// and a 422 would wrongly suggest that fixing the body or its schema would help.
func contentFormat(header string) (embeddedFormat, *Error) {
	mt := header
	if i := strings.IndexByte(mt, ';'); i >= 0 {
		mt = mt[:i]
	}
	mt = strings.ToLower(strings.TrimSpace(mt))
	switch mt {
	case "application/vnd.kafka.json.v2+json":
		return formatJSON, nil
	case "application/vnd.kafka.binary.v2+json", "", "application/octet-stream", mediaJSON:
		return formatBinary, nil
	}
	rest, ok := strings.CutPrefix(mt, "application/vnd.kafka")
	if !ok || !strings.HasSuffix(rest, "+json") {
		return 0, unsupported(header)
	}
	rest = strings.TrimSuffix(rest, "+json")
	rest, _ = strings.CutSuffix(rest, ".v2")
	switch rest {
	case "":
		return formatBinary, nil
	case ".json":
		return formatJSON, nil
	case ".binary":
		return formatBinary, nil
	case ".avro", ".jsonschema", ".protobuf":
		return 0, &Error{Status: 415, Code: 415, Message: "Embedded format " + rest[1:] +
			" needs a schema registry, which this gateway does not have; send " +
			"application/vnd.kafka.json.v2+json or application/vnd.kafka.binary.v2+json"}
	}
	return 0, unsupported(header)
}

func unsupported(header string) *Error {
	return &Error{Status: 415, Code: 415, Message: "HTTP 415 Unsupported Media Type: " + strconv.Quote(header) +
		"; send application/vnd.kafka.json.v2+json (JSON values) or application/vnd.kafka.binary.v2+json (base64 values)"}
}

// negotiate picks the response media type from an Accept header: the REST Proxy's own type
// unless the client prefers plain JSON, and "" when the client accepts neither.
func negotiate(accept string) string {
	if accept == "" {
		return mediaKafkaV2
	}
	best, bestQ := "", 0.0
	for part := range strings.SplitSeq(accept, ",") {
		mt, q := acceptRange(part)
		var offer string
		switch mt {
		case mediaKafkaV2, "application/vnd.kafka+json", "*/*", "application/*":
			offer = mediaKafkaV2
		case mediaJSON:
			offer = mediaJSON
		default:
			continue
		}
		if q > bestQ || (q == bestQ && q > 0 && offer == mediaKafkaV2) {
			best, bestQ = offer, q
		}
	}
	return best
}

// acceptRange splits one Accept entry into its media range and quality (default 1).
func acceptRange(part string) (string, float64) {
	mt, params, _ := strings.Cut(part, ";")
	q := 1.0
	for p := range strings.SplitSeq(params, ";") {
		name, value, ok := strings.Cut(p, "=")
		if ok && strings.EqualFold(strings.TrimSpace(name), "q") {
			if v, err := strconv.ParseFloat(strings.TrimSpace(value), 64); err == nil && v >= 0 && v <= 1 {
				q = v
			} else {
				q = 0
			}
		}
	}
	return strings.ToLower(strings.TrimSpace(mt)), q
}
