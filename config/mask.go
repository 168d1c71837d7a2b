package config

import (
	"net/url"
	"regexp"
	"strings"
)

// masked stands for a hidden secret in every printed value.
const masked = "****"

// secretWords mark a query parameter whose value is a secret: password, token, api_key,
// X-Amz-Signature, X-Amz-Credential, X-Amz-Security-Token, …
var secretWords = []string{"pass", "pwd", "token", "secret", "key", "auth", "sig", "cred", "session"}

// Mask returns a URL-valued setting, DSN or path with its secrets hidden, for anything pintui
// prints, logs or puts in an error: a URL's password, the values of its query parameters that
// name a secret, its fragment, and a go-sql-driver DSN's password (user:pass@tcp(host)/db). A
// URL that does not parse is hidden whole after its scheme, since its secret could be anywhere.
func Mask(s string) string {
	scheme, rest, isURL := strings.Cut(s, "://")
	if !isURL {
		return maskDSN(s)
	}
	u, err := url.Parse(s)
	if err != nil || !validScheme(scheme) {
		if validScheme(scheme) {
			return scheme + "://" + masked
		}
		return masked
	}
	var b strings.Builder
	b.WriteString(scheme + "://")
	if u.User != nil {
		at := strings.LastIndex(rest[:authorityEnd(rest)], "@")
		if at < 0 {
			return scheme + "://" + masked
		}
		user, _, hasPassword := strings.Cut(rest[:at], ":")
		b.WriteString(user)
		if hasPassword {
			b.WriteString(":" + masked)
		}
		b.WriteString("@")
	}
	b.WriteString(u.Host + u.EscapedPath())
	if u.RawQuery != "" || u.ForceQuery {
		b.WriteString("?" + maskQuery(u.RawQuery))
	}
	if u.Fragment != "" {
		b.WriteString("#" + masked)
	}
	return b.String()
}

// authorityEnd is where the authority of a URL's text after :// ends.
func authorityEnd(rest string) int {
	if i := strings.IndexAny(rest, "/?#"); i >= 0 {
		return i
	}
	return len(rest)
}

func validScheme(s string) bool {
	if s == "" {
		return false
	}
	for i, c := range s {
		letter := 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
		if !letter && (i == 0 || !('0' <= c && c <= '9' || c == '+' || c == '-' || c == '.')) {
			return false
		}
	}
	return true
}

// maskDSN hides the password of user:pass@tcp(host:3306)/db, which runs from the first colon to
// the last @ (as the MySQL driver reads it, a password may hold @), and the secret parameters
// after the database name. A path or host:port without @ is returned as it is.
func maskDSN(s string) string {
	at := strings.LastIndex(s, "@")
	if at < 0 {
		return s
	}
	user, _, hasPassword := strings.Cut(s[:at], ":")
	out := user
	if hasPassword {
		out += ":" + masked
	}
	rest := s[at:]
	if slash := strings.LastIndex(rest, "/"); slash >= 0 {
		if base, query, ok := strings.Cut(rest[slash:], "?"); ok {
			rest = rest[:slash] + base + "?" + maskQuery(query)
		}
	}
	return out + rest
}

// maskQuery hides the value of each parameter that names a secret, keeping the parameters'
// order and spelling; a parameter whose name does not decode is hidden whole.
func maskQuery(raw string) string {
	if raw == "" {
		return raw
	}
	parts := strings.Split(raw, "&")
	for i, p := range parts {
		k, _, _ := strings.Cut(p, "=")
		name, err := url.QueryUnescape(k)
		switch {
		case err != nil:
			parts[i] = masked
		case isSecretName(name):
			parts[i] = k + "=" + masked
		}
	}
	return strings.Join(parts, "&")
}

func isSecretName(name string) bool {
	name = strings.ToLower(name)
	for _, w := range secretWords {
		if strings.Contains(name, w) {
			return true
		}
	}
	return false
}

// urlInText finds the URLs a message quotes, up to a space or a quote.
var urlInText = regexp.MustCompile("[A-Za-z][A-Za-z0-9+.-]*://[^\\s\"'`]+")

// MaskText applies Mask to every URL in a message, such as an error from an HTTP client or an
// SDK that quotes the URL it was given.
func MaskText(s string) string { return urlInText.ReplaceAllStringFunc(s, Mask) }
