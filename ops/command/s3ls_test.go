package command

import (
	"context"
	"slices"
	"testing"
)

func TestPartitionPrefix(t *testing.T) {
	for prefix, want := range map[string]bool{
		"topics/0a1b2c3d4e5f.pin/partition=0/":  true,
		"topics/0a1b2c3d4e5f.pin/partition=12/": true,
		"topics/0a1b2c3d4e5f.pin/partition=0":   false,
		"topics/0a1b2c3d4e5f.pin/partition=x/":  false,
		"topics/0a1b2c3d4e5f.pin/":              false,
		"topics/0a1b2c3d4e5f.pin/partition=0/a": false,
		"":                                      false,
	} {
		if _, _, got := partitionPrefix(prefix); got != want {
			t.Errorf("partitionPrefix(%q) = %v, want %v", prefix, got, want)
		}
	}
}

// keysOf runs an s3 ls line and returns what it listed, prefixes then objects.
func keysOf(t *testing.T, reg *Registry, line string) ([]string, S3Listing) {
	t.Helper()
	res, err := reg.Run(context.Background(), line)
	if err != nil {
		t.Fatalf("%s: %v", line, err)
	}
	l := res.Data.(S3Listing)
	keys := append([]string{}, l.Prefixes...)
	for _, o := range l.Objects {
		keys = append(keys, o.Key)
	}
	return keys, l
}

func TestS3LsPagesAndLast(t *testing.T) {
	reg := New(openStack(t))
	for _, l := range []string{"seed --rows 300", "emulate batch --count 10 --rate 0", "wait emulator", "wait landings >= 30"} {
		if _, err := reg.Run(context.Background(), l); err != nil {
			t.Fatalf("%s: %v", l, err)
		}
	}
	const part = "topics/0a1b2c3d4e5f.pin/partition=0/"
	all, whole := keysOf(t, reg, "s3 ls "+part+" --limit 0")
	if len(all) < 10 || whole.Truncated || whole.Earlier {
		t.Fatalf("the pin partition lists %d keys (truncated %v, earlier %v), want at least 10 and all", len(all), whole.Truncated, whole.Earlier)
	}

	var paged []string
	line := "s3 ls " + part + " --limit 3"
	for pages := 0; ; pages++ {
		keys, l := keysOf(t, reg, line)
		paged = append(paged, keys...)
		if !l.Truncated {
			break
		}
		if len(keys) != 3 || pages > len(all) {
			t.Fatalf("page %d of %s has %d keys", pages, line, len(keys))
		}
		line = "s3 ls " + part + " --limit 3 --token " + l.NextToken
	}
	if !slices.Equal(paged, all) {
		t.Fatalf("pages of 3 list %q, want %q", paged, all)
	}

	for _, c := range []struct {
		line    string
		want    []string
		earlier bool
	}{
		{"s3 ls " + part + " --last 3", all[len(all)-3:], true},
		{"s3 ls " + part + " --last 1", all[len(all)-1:], true},
		{"s3 ls " + part + " --last 1000", all, false},
		{"s3 ls " + part + " --last " + itoa(len(all)), all, false},
		{"s3 ls topics/ --last 2 --limit 1", []string{"topics/0a1b2c3d4e5f.pin/", "topics/0a1b2c3d4e5f.user/"}, true},
		{"s3 ls topics/ --last 5 --limit 2", []string{"topics/0a1b2c3d4e5f.geo/", "topics/0a1b2c3d4e5f.pin/", "topics/0a1b2c3d4e5f.user/"}, false},
	} {
		got, l := keysOf(t, reg, c.line)
		if !slices.Equal(got, c.want) || l.Earlier != c.earlier || l.Truncated {
			t.Errorf("%s lists %q (earlier %v, truncated %v), want %q (earlier %v)", c.line, got, l.Earlier, l.Truncated, c.want, c.earlier)
		}
	}

	for line, want := range map[string]string{
		"s3 ls " + part + " --last 0":                  `--last "0" is not valid: use a number of entries above 0, e.g. --last 100`,
		"s3 ls " + part + " --last ten":                `--last "ten" is not valid: use a number of entries above 0, e.g. --last 100`,
		"s3 ls " + part + " --last 3 --token dG9waWNz": "--last and --token do not go together: --last lists the end of " + part + ", --token goes on from an earlier page",
	} {
		if _, err := reg.Run(context.Background(), line); err == nil || err.Error() != "s3 ls: "+want {
			t.Errorf("%s: error %v, want %q", line, err, "s3 ls: "+want)
		}
	}
}

func itoa(n int) string { return i64(int64(n)) }
