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
		if f := checkSignature(r, time.Now(), "s3", ""); f != nil {
			writeS3Error(w, r, http.StatusForbidden, s3Refusal(f))
			return
		}
		h.ServeHTTP(w, r)
	})
}

// authFault says why a signature was refused, in terms each server turns into its own error codes.
type authFault int

const (
	// faultUnsigned: the request carries no signature at all.
	faultUnsigned authFault = iota
	// faultMalformed: the signature is not SigV4, lacks a part, or is scoped to another service.
	faultMalformed
	// faultAccessKey: it is signed with another access key than the local one.
	faultAccessKey
	// faultSkew: it was signed too far from the server's time.
	faultSkew
	// faultExpired: its presigned URL has expired.
	faultExpired
	// faultMismatch: the signature does not match the request and the local secret.
	faultMismatch
)

// authRefusal is why a request's signature is refused: the fault and what exactly was wrong.
type authRefusal struct {
	fault  authFault
	reason string
}

func refuse(fault authFault, format string, args ...any) *authRefusal {
	return &authRefusal{fault: fault, reason: fmt.Sprintf(format, args...)}
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

// checkSignature returns why r is refused, or nil if it is signed with the local credentials
// for service. bodyHash is the hex SHA-256 of the body the server read; "" takes the client's
// X-Amz-Content-Sha256 instead, as S3 does, whose clients may leave the body unsigned.
func checkSignature(r *http.Request, now time.Time, service, bodyHash string) *authRefusal {
	sig, f := readSignature(r, bodyHash)
	if f != nil {
		return f
	}
	scope := strings.Split(sig.credential, "/")
	if len(scope) != 5 || scope[3] != service || scope[4] != "aws4_request" {
		return refuse(faultMalformed, "the credential %q is not access-key/date/region/%s/aws4_request", sig.credential, service)
	}
	if scope[0] != s3.LocalAccessKey {
		return refuse(faultAccessKey, "the access key %q is not the local one", scope[0])
	}
	if skew := now.Sub(sig.at).Abs(); !sig.presigned && skew > maxSkew {
		return refuse(faultSkew, "the request was signed at %s, %s from the server's time", sig.at.Format(time.RFC3339), skew.Round(time.Second))
	}
	if sig.presigned && now.After(sig.at.Add(sig.expires)) {
		return refuse(faultExpired, "the presigned URL expired at %s", sig.at.Add(sig.expires).Format(time.RFC3339))
	}
	want, err := expectedSignature(r, sig, scope[2], service)
	if err != nil {
		return refuse(faultMalformed, "the signature cannot be checked: %v", err)
	}
	if subtle.ConstantTimeCompare([]byte(want), []byte(sig.signature)) != 1 {
		return refuse(faultMismatch, "the signature does not match the request and the local secret")
	}
	return nil
}

// s3Refusal is the 403 answer's error S3 gives for f: what was wrong, then what to do.
func s3Refusal(f *authRefusal) *gofakes3.ErrorResponse {
	code := errAccessDenied
	switch f.fault {
	case faultAccessKey:
		code = errInvalidAccessKeyID
	case faultSkew:
		code = errRequestTimeTooSkewed
	case faultMismatch:
		code = errSignatureDoesNotMatch
	}
	return &gofakes3.ErrorResponse{Code: code, Message: f.reason + ": " + howToSign}
}

// readSignature reads the signature from the Authorization header or, failing that, the query;
// bodyHash, when set, is the payload hash the header form is checked against.
func readSignature(r *http.Request, bodyHash string) (signature, *authRefusal) {
	var sig signature
	if auth := r.Header.Get("Authorization"); auth != "" {
		fields, ok := strings.CutPrefix(auth, sigV4+" ")
		if !ok {
			return sig, refuse(faultMalformed, "the Authorization header is not %s", sigV4)
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
		if sig.credential == "" || sig.signedHeaders == "" || sig.signature == "" {
			return sig, refuse(faultMalformed, "the Authorization header lacks Credential, SignedHeaders or Signature")
		}
		sig.payload = bodyHash
		if sig.payload == "" {
			sig.payload = r.Header.Get("X-Amz-Content-Sha256")
		}
		if sig.payload == "" {
			return sig, refuse(faultMalformed, "the request has no X-Amz-Content-Sha256 header")
		}
		return sig, readTime(&sig, r.Header.Get("X-Amz-Date"))
	}
	q := r.URL.Query()
	switch q.Get("X-Amz-Algorithm") {
	case "":
		return sig, refuse(faultUnsigned, "the request is not signed")
	case sigV4:
	default:
		return sig, refuse(faultMalformed, "the presigned URL is not %s", sigV4)
	}
	secs, err := strconv.Atoi(q.Get("X-Amz-Expires"))
	if err != nil || secs <= 0 || secs > 7*24*3600 {
		return sig, refuse(faultMalformed, "the presigned URL's X-Amz-Expires %q is not 1 to 604800 seconds", q.Get("X-Amz-Expires"))
	}
	sig.presigned, sig.expires, sig.payload = true, time.Duration(secs)*time.Second, "UNSIGNED-PAYLOAD"
	sig.credential, sig.signedHeaders, sig.signature = q.Get("X-Amz-Credential"), q.Get("X-Amz-SignedHeaders"), q.Get("X-Amz-Signature")
	return sig, readTime(&sig, q.Get("X-Amz-Date"))
}

// readTime sets the signing time from its X-Amz-Date form.
func readTime(sig *signature, value string) *authRefusal {
	at, err := time.Parse(amzDate, value)
	if err != nil {
		return refuse(faultMalformed, "the signing time X-Amz-Date %q is not of the form %s", value, amzDate)
	}
	sig.at = at
	return nil
}

// expectedSignature signs a copy of r that holds only what the client signed, with the local
// credentials at the client's signing time and region, and returns the signature it gets.
func expectedSignature(r *http.Request, sig signature, region, service string) (string, error) {
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
	// S3 alone signs the path as sent; every other service escapes it once more.
	signer := v4.NewSigner(func(o *v4.SignerOptions) { o.DisableURIPathEscaping = service == "s3" })
	if !sig.presigned {
		if err := signer.SignHTTP(r.Context(), localCreds, cp, sig.payload, service, region, sig.at); err != nil {
			return "", err
		}
		_, got, _ := strings.Cut(cp.Header.Get("Authorization"), "Signature=")
		return got, nil
	}
	q := u.Query()
	q.Del("X-Amz-Signature")
	u.RawQuery = q.Encode()
	signed, _, err := signer.PresignHTTP(r.Context(), localCreds, cp, sig.payload, service, region, sig.at)
	if err != nil {
		return "", err
	}
	su, err := url.Parse(signed)
	if err != nil {
		return "", err
	}
	return su.Query().Get("X-Amz-Signature"), nil
}
