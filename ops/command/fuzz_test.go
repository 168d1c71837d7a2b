package command

import (
	"strings"
	"testing"
)

// FuzzSplit checks that no line panics the splitter and that the words it reads come back the
// same when each is quoted the POSIX way and the line is split again.
func FuzzSplit(f *testing.F) {
	for _, seed := range []string{"", "status", `tail topic 0a1b2c3d4e5f.pin --from -5`, `emulate start --rate 2.5 # comment`,
		`s3 cat 'topics/a b/x.json'`, `echo "a \"b\" c" 'it'\''s' \# x\ y`, `unterminated "quote`, `trailing \`, "tab\tand\nnewline", `''`, `"#"#`} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, line string) {
		words, err := Split(line)
		if err != nil {
			if !strings.Contains(err.Error(), "quote in") && !strings.Contains(err.Error(), "trailing backslash in") {
				t.Fatalf("unexpected error: %v", err)
			}
			return
		}
		quoted := make([]string, len(words))
		for i, w := range words {
			quoted[i] = "'" + strings.ReplaceAll(w, "'", `'\''`) + "'"
		}
		again, err := Split(strings.Join(quoted, " "))
		if err != nil {
			t.Fatalf("%q: quoted words %q do not split: %v", line, quoted, err)
		}
		if strings.Join(again, "\x00") != strings.Join(words, "\x00") || len(again) != len(words) {
			t.Fatalf("%q: words %q became %q", line, words, again)
		}
	})
}
