package clean

import "time"

// dateTimeForm says how a datetime was written, for the report.
type dateTimeForm struct {
	isoT, zone, dateOnly bool
}

// parseDateTime reads `YYYY-MM-DD HH:MM:SS` (how records are posted) and what Spark's
// timestamp cast also takes: a `T` instead of the space, a fraction of up to nine digits, a zone
// (`Z`, `±HH:MM`, `±HHMM`, converted to UTC) or a bare date (midnight). A datetime without a zone
// is UTC.
func parseDateTime(s string) (time.Time, dateTimeForm, bool) {
	var form dateTimeForm
	if len(s) < 10 || s[4] != '-' || s[7] != '-' {
		return time.Time{}, form, false
	}
	year, ok1 := digits(s[0:4])
	month, ok2 := digits(s[5:7])
	day, ok3 := digits(s[8:10])
	if !ok1 || !ok2 || !ok3 || month < 1 || month > 12 || day < 1 || day > daysIn(year, month) {
		return time.Time{}, form, false
	}
	if len(s) == 10 {
		form.dateOnly = true
		return time.Date(year, time.Month(month), day, 0, 0, 0, 0, time.UTC), form, true
	}
	if len(s) < 19 || (s[10] != ' ' && s[10] != 'T') || s[13] != ':' || s[16] != ':' {
		return time.Time{}, form, false
	}
	form.isoT = s[10] == 'T'
	hour, ok1 := digits(s[11:13])
	minute, ok2 := digits(s[14:16])
	sec, ok3 := digits(s[17:19])
	if !ok1 || !ok2 || !ok3 || hour > 23 || minute > 59 || sec > 59 {
		return time.Time{}, form, false
	}
	rest := s[19:]
	nsec := 0
	if len(rest) > 0 && rest[0] == '.' {
		n := 1
		for n < len(rest) && n <= 9 && rest[n] >= '0' && rest[n] <= '9' {
			nsec = nsec*10 + int(rest[n]-'0')
			n++
		}
		if n == 1 {
			return time.Time{}, form, false
		}
		for k := n; k <= 9; k++ {
			nsec *= 10
		}
		rest = rest[n:]
	}
	offset, ok := zoneOffset(rest)
	if !ok {
		return time.Time{}, form, false
	}
	form.zone = rest != ""
	t := time.Date(year, time.Month(month), day, hour, minute, sec, nsec, time.UTC)
	return t.Add(-time.Duration(offset) * time.Second), form, true
}

// zoneOffset reads a zone suffix as seconds east of UTC; an empty suffix is UTC.
func zoneOffset(z string) (int, bool) {
	switch {
	case z == "" || z == "Z":
		return 0, true
	case len(z) == 6 && z[3] == ':':
		z = z[:3] + z[4:]
	case len(z) != 5:
		return 0, false
	}
	if z[0] != '+' && z[0] != '-' {
		return 0, false
	}
	h, ok1 := digits(z[1:3])
	m, ok2 := digits(z[3:5])
	if !ok1 || !ok2 || h > 23 || m > 59 {
		return 0, false
	}
	off := h*3600 + m*60
	if z[0] == '-' {
		off = -off
	}
	return off, true
}

func digits(s string) (int, bool) {
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
		n = n*10 + int(s[i]-'0')
	}
	return n, true
}

func daysIn(year, month int) int {
	return time.Date(year, time.Month(month)+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// appendDateTime writes t in UTC as `YYYY-MM-DD HH:MM:SS`, adding the fraction only when there
// is one.
func appendDateTime(b []byte, t time.Time) []byte {
	t = t.UTC()
	year, month, day := t.Date()
	hour, minute, sec := t.Clock()
	if year < 0 || year > 9999 {
		return t.AppendFormat(b, "2006-01-02 15:04:05.999999999")
	}
	b = append(b, byte('0'+year/1000), byte('0'+year/100%10), byte('0'+year/10%10), byte('0'+year%10), '-')
	b = append2(b, int(month), '-')
	b = append2(b, day, ' ')
	b = append2(b, hour, ':')
	b = append2(b, minute, ':')
	b = append(b, byte('0'+sec/10), byte('0'+sec%10))
	if ns := t.Nanosecond(); ns != 0 {
		b = append(b, '.')
		for div := 100_000_000; ns != 0; div /= 10 {
			b = append(b, byte('0'+ns/div))
			ns %= div
		}
	}
	return b
}

func append2(b []byte, n int, sep byte) []byte {
	return append(b, byte('0'+n/10), byte('0'+n%10), sep)
}
