package local

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"time"

	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// maxKinesisAnswer bounds an answer the gateway passes on; the largest, a DescribeStream of
// many shards, is far below it.
const maxKinesisAnswer = 16 << 20

// KinesisUpstream is the gateway's way to Kinesis: it signs each call with SigV4 (service
// kinesis, the local credentials) and posts it to a Kinesis JSON 1.1 endpoint. It implements
// gateway.Kinesis.
type KinesisUpstream struct {
	endpoint string
	client   *http.Client
	signer   *v4.Signer
}

// NewKinesisUpstream returns an upstream posting to endpoint, the URL of the local Kinesis
// (Endpoints.Kinesis) or of another server that takes the local credentials.
func NewKinesisUpstream(endpoint string) *KinesisUpstream {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.Proxy = nil
	// Every gateway connection may be putting a record at once; each keeps its own.
	t.MaxIdleConnsPerHost = defaultLimits.conns
	return &KinesisUpstream{endpoint: endpoint, client: &http.Client{Transport: t}, signer: v4.NewSigner()}
}

// Call posts one operation and returns Kinesis's status and body; the error says only that no
// answer came.
func (u *KinesisUpstream) Call(ctx context.Context, operation string, body []byte) (int, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u.endpoint+"/", bytes.NewReader(body))
	if err != nil {
		return 0, nil, fmt.Errorf("kinesis endpoint %q: %w", u.endpoint, err)
	}
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", kinesisTarget+operation)
	sum := sha256.Sum256(body)
	if err := u.signer.SignHTTP(ctx, localCreds, req, hex.EncodeToString(sum[:]), "kinesis", kinesisRegion, time.Now()); err != nil {
		return 0, nil, fmt.Errorf("sign %s: %w", operation, err)
	}
	resp, err := u.client.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	answer, err := io.ReadAll(io.LimitReader(resp.Body, maxKinesisAnswer))
	if err != nil {
		return 0, nil, fmt.Errorf("read the answer to %s: %w", operation, err)
	}
	return resp.StatusCode, answer, nil
}

// CloseIdleConnections closes the upstream's kept-alive connections; the gateway calls it
// once it has stopped serving.
func (u *KinesisUpstream) CloseIdleConnections() { u.client.CloseIdleConnections() }
