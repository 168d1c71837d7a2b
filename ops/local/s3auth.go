package local

import (
	"crypto/subtle"
	"fmt"
	"net/http"
	"net/textproto"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/johannesboyne/gofakes3"

	"github.com/pintui/pintui/ops/s3"
)

// The S3 error codes of a refused request, as AWS names them; all answer 403.
const (
	errAccessDenied          gofakes3.ErrorCode = "AccessDenied"
	errSignatureDoesNotMatch gofakes3.ErrorCode = "SignatureDoesNotMatch"
	errInvalidAccessKeyID    gofakes3.ErrorCode = "InvalidAccessKeyId"
	errRequestTimeTooSkewed  gofakes3.ErrorCode = "RequestTimeTooSkewed"
)

// sigV4 is the only signing algorithm the local S3 takes.
const sigV4 = "AWS4-HMAC-SHA256"

// maxSkew is how far a request's signing time may be from now, as on AWS; it bounds how long a
// captured request can be replayed.
const maxSkew = 15 * time.Minute

// amzDate is the layout of X-Amz-Date.
const amzDate = "20060102T150405Z"

// howToSign ends every refusal: what a client has to do to be let in.
const howToSign = "sign requests (AWS Signature V4) with the local credentials, access key " + s3.LocalAccessKey +
	" and the secret the README gives, or set local.s3_anonymous: true"

// localCreds are the credentials every request must be signed with.
var localCreds = aws.Credentials{AccessKeyID: s3.LocalAccessKey, SecretAccessKey: s3.LocalSecretKey}

// requireSignature lets through only requests signed with the local credentials, in the
// Authorization header or as a presigned URL. The AWS SDK's signer computes the signature the
// request should carry from the parts the client says it signed; the body is covered as far as
// X-Amz-Content-Sha256 says, which is the client's choice as on AWS.
func requireSignature(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if e := checkSignature(r, time.Now()); e != nil {
			writeS3Error(w, r, http.StatusForbidden, e)
			return
		}
		h.ServeHTTP(w, r)
	})
}

// signature is what a request says about how it was signed.
type signature struct {
	credential, signedHeaders, signature string
	at                                   time.Time
	payload                              string
	// presigned marks a signature carried in the query, with the URL valid for expires.
	presigned bool
	expires   time.Duration
}

// checkSignature returns why r is refused, or nil if it is signed with the local credentials.
func checkSignature(r *http.Request, now time.Time) *gofakes3.ErrorResponse {
	sig, e := readSignature(r)
	if e != nil {
		return e
	}
	scope := strings.Split(sig.credential, "/")
	if len(scope) != 5 || scope[3] != "s3" || scope[4] != "aws4_request" {
		return refusal(errAccessDenied, "the credential %q is not access-key/date/region/s3/aws4_request", sig.credential)
	}
	if scope[0] != s3.LocalAccessKey {
		return refusal(errInvalidAccessKeyID, "the access key %q is not the local one", scope[0])
	}
	if skew := now.Sub(sig.at).Abs(); !sig.presigned && skew > maxSkew {
		return refusal(errRequestTimeTooSkewed, "the request was signed at %s, %s from the server's time", sig.at.Format(time.RFC3339), skew.Round(time.Second))
	}
	if sig.presigned && now.After(sig.at.Add(sig.expires)) {
		return refusal(errAccessDenied, "the presigned URL expired at %s", sig.at.Add(sig.expires).Format(time.RFC3339))
	}
	want, err := expectedSignature(r, sig, scope[2])
	if err != nil {
		return refusal(errAccessDenied, "the signature cannot be checked: %v", err)
	}
	if subtle.ConstantTimeCompare([]byte(want), []byte(sig.signature)) != 1 {
		return refusal(errSignatureDoesNotMatch, "the signature does not match the request and the local secret")
	}
	return nil
}

// readSignature reads the signature from the Authorization header or, failing that, the query.
func readSignature(r *http.Request) (signature, *gofakes3.ErrorResponse) {
	var sig signature
	if auth := r.Header.Get("Authorization"); auth != "" {
		fields, ok := strings.CutPrefix(auth, sigV4+" ")
		if !ok {
			return sig, refusal(errAccessDenied, "the Authorization header is not %s", sigV4)
		}
		for f := range strings.SplitSeq(fields, ",") {
			k, v, _ := strings.Cut(strings.TrimSpace(f), "=")
			switch k {
			case "Credential":
				sig.credential = v
			case "SignedHeaders":
				sig.signedHeaders = v
			case "Signature":
				sig.signature = v
			}
		}
		sig.payload = r.Header.Get("X-Amz-Content-Sha256")
		if sig.payload == "" {
			return sig, refusal(errAccessDenied, "the request has no X-Amz-Content-Sha256 header")
		}
		return sig, readTime(&sig, r.Header.Get("X-Amz-Date"))
	}
	q := r.URL.Query()
	switch q.Get("X-Amz-Algorithm") {
	case "":
		return sig, refusal(errAccessDenied, "the request is not signed")
	case sigV4:
	default:
		return sig, refusal(errAccessDenied, "the presigned URL is not %s", sigV4)
	}
	secs, err := strconv.Atoi(q.Get("X-Amz-Expires"))
	if err != nil || secs <= 0 || secs > 7*24*3600 {
		return sig, refusal(errAccessDenied, "the presigned URL's X-Amz-Expires %q is not 1 to 604800 seconds", q.Get("X-Amz-Expires"))
	}
	sig.presigned, sig.expires, sig.payload = true, time.Duration(secs)*time.Second, "UNSIGNED-PAYLOAD"
	sig.credential, sig.signedHeaders, sig.signature = q.Get("X-Amz-Credential"), q.Get("X-Amz-SignedHeaders"), q.Get("X-Amz-Signature")
	return sig, readTime(&sig, q.Get("X-Amz-Date"))
}

// readTime sets the signing time from its X-Amz-Date form.
func readTime(sig *signature, value string) *gofakes3.ErrorResponse {
	at, err := time.Parse(amzDate, value)
	if err != nil {
		return refusal(errAccessDenied, "the signing time X-Amz-Date %q is not of the form %s", value, amzDate)
	}
	sig.at = at
	return nil
}

// expectedSignature signs a copy of r that holds only what the client signed, with the local
// credentials at the client's signing time and region, and returns the signature it gets.
func expectedSignature(r *http.Request, sig signature, region string) (string, error) {
	u := *r.URL
	u.Scheme, u.Host = "http", r.Host
	cp := &http.Request{Method: r.Method, URL: &u, Host: r.Host, Header: http.Header{}}
	for name := range strings.SplitSeq(sig.signedHeaders, ";") {
		switch name {
		case "host":
		case "content-length":
			cp.ContentLength = r.ContentLength
		default:
			key := textproto.CanonicalMIMEHeaderKey(name)
			cp.Header[key] = r.Header.Values(key)
		}
	}
	signer := v4.NewSigner(func(o *v4.SignerOptions) { o.DisableURIPathEscaping = true })
	if !sig.presigned {
		if err := signer.SignHTTP(r.Context(), localCreds, cp, sig.payload, "s3", region, sig.at); err != nil {
			return "", err
		}
		_, got, _ := strings.Cut(cp.Header.Get("Authorization"), "Signature=")
		return got, nil
	}
	q := u.Query()
	q.Del("X-Amz-Signature")
	u.RawQuery = q.Encode()
	signed, _, err := signer.PresignHTTP(r.Context(), localCreds, cp, sig.payload, "s3", region, sig.at)
	if err != nil {
		return "", err
	}
	su, err := url.Parse(signed)
	if err != nil {
		return "", err
	}
	return su.Query().Get("X-Amz-Signature"), nil
}

// refusal is a 403 answer's error: what was wrong, then what to do.
func refusal(code gofakes3.ErrorCode, format string, args ...any) *gofakes3.ErrorResponse {
	return &gofakes3.ErrorResponse{Code: code, Message: fmt.Sprintf(format, args...) + ": " + howToSign}
}
