package local

import (
	"fmt"
	"strings"
)

// Endpoints are the loopback addresses of a running stack, as external clients (kcat, the AWS
// CLI, curl) and the rest of pintui reach it.
type Endpoints struct {
	// Gateway is the REST Proxy / API Gateway base URL the emulators post to.
	Gateway string `json:"gateway"`
	// Kafka is the bootstrap broker host:port.
	Kafka string `json:"kafka"`
	// S3 is the S3 endpoint URL (plain http, path-style).
	S3 string `json:"s3"`
	// Kinesis is the Kinesis (JSON 1.1) endpoint URL, plain http.
	Kinesis string `json:"kinesis"`
	// Airflow is the local scheduler's base URL (the Airflow REST API is under /api/v1), plain
	// http; "" while it serves none. It takes the control token as its bearer token.
	Airflow string `json:"airflow"`
	// Workspace is the local workspace's base URL (the Databricks APIs are under /api/2.x), plain
	// http; "" while it serves none. It takes the control token as its bearer token.
	Workspace string `json:"workspace"`
	// Bucket is the landing bucket, user-<uid>-bucket.
	Bucket string `json:"bucket"`
	// DataDir is the folder the stack keeps its state in.
	DataDir string `json:"data_dir"`
	// Control is the owner's control endpoint URL, where other processes on the data dir run and
	// watch its work; it needs the bearer token in <data-dir>/control.token.
	Control string `json:"control,omitempty"`
}

// String renders the endpoints as name=address lines, the text form of `pintui serve`.
func (e Endpoints) String() string {
	var b strings.Builder
	for _, f := range [][2]string{
		{"gateway", e.Gateway}, {"kafka", e.Kafka}, {"s3", e.S3}, {"kinesis", e.Kinesis}, {"airflow", e.Airflow}, {"workspace", e.Workspace}, {"bucket", e.Bucket}, {"data_dir", e.DataDir}, {"control", e.Control},
	} {
		fmt.Fprintf(&b, "%s=%s\n", f[0], f[1])
	}
	return b.String()
}
