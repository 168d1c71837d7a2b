package local

import (
	"bufio"
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/johannesboyne/gofakes3"
)

// s3WriterEnv makes the test binary a process that PUTs into a store in the named dir until killed.
const s3WriterEnv = "PINTUI_S3_STORE_WRITER"

// stormKeys is how many keys the storm writes, so most PUTs overwrite.
const stormKeys = 200

// stormBody is a body that says which key it belongs to and how long it is, so a reader can
// tell a whole body from a torn or foreign one.
func stormBody(key string, seq int) string {
	head := fmt.Sprintf("%s %d ", key, seq)
	pad := strings.Repeat("x", rand.IntN(4096))
	return fmt.Sprintf("%s%d %s", head, len(head)+len(pad), pad)
}

// checkStormBody says what is wrong with a body stormBody did not write whole for key.
func checkStormBody(key, body string) error {
	f := strings.SplitN(body, " ", 4)
	if len(f) != 4 || f[0] != key {
		return fmt.Errorf("body %.40q is not one of %s's", body, key)
	}
	n, err := strconv.Atoi(f[2])
	if err != nil || n != len(f[0])+len(f[1])+2+len(f[3]) {
		return fmt.Errorf("body of %s is torn: %d bytes, says %s", key, len(body), f[2])
	}
	return nil
}

// runS3Writer PUTs from four goroutines into the store in dir, printing "ack <key>" once a PUT
// returns, until the process is killed.
func runS3Writer(dir string) {
	s, err := openS3Store(dir)
	if err == nil {
		if ok, _ := s.BucketExists("b"); !ok {
			err = s.CreateBucket("b")
		}
	}
	if err != nil {
		fmt.Println("error:", err)
		os.Exit(1)
	}
	out := bufio.NewWriter(os.Stdout)
	var mu sync.Mutex
	for w := range 4 {
		go func() {
			for seq := w; ; seq += 4 {
				key := fmt.Sprintf("topics/u.pin/k%03d", rand.IntN(stormKeys))
				body := stormBody(key, seq)
				if _, err := s.PutObject("b", key, nil, strings.NewReader(body), int64(len(body)), nil); err != nil {
					fmt.Println("error:", err)
					os.Exit(1)
				}
				mu.Lock()
				fmt.Fprintln(out, "ack", key)
				out.Flush()
				mu.Unlock()
			}
		}()
	}
	select {}
}

func TestKilledDuringAPutStormEveryAcknowledgedObjectIsWhole(t *testing.T) {
	dir := t.TempDir()
	writer := exec.Command(os.Args[0], "-test.run=^$")
	writer.Env = append(os.Environ(), s3WriterEnv+"="+dir)
	out, err := writer.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := writer.Start(); err != nil {
		t.Fatal(err)
	}
	defer writer.Process.Kill()
	acked := map[string]bool{}
	lines := bufio.NewScanner(out)
	for n := 0; n < 2000 && lines.Scan(); n++ {
		key, ok := strings.CutPrefix(lines.Text(), "ack ")
		if !ok {
			t.Fatalf("writer said %q", lines.Text())
		}
		acked[key] = true
	}
	if err := writer.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	writer.Wait()
	if len(acked) == 0 {
		t.Fatal("the writer acknowledged no PUT")
	}

	s, err := openS3Store(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for key := range acked {
		if _, err := s.HeadObject("b", key); err != nil {
			t.Errorf("acknowledged %s after the kill: %v", key, err)
		}
	}
	l, err := s.ListBucket("b", nil, gofakes3.ListBucketPage{})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range l.Contents {
		obj, err := s.GetObject("b", c.Key, nil)
		if err != nil {
			t.Errorf("listed %s has no body: %v", c.Key, err)
			continue
		}
		body, _ := io.ReadAll(obj.Contents)
		obj.Contents.Close()
		sum := md5.Sum(body)
		if got := `"` + hex.EncodeToString(sum[:]) + `"`; got != c.ETag || int64(len(body)) != c.Size {
			t.Errorf("body of %s has md5 %s and %d bytes, its entry %s and %d", c.Key, got, len(body), c.ETag, c.Size)
		}
		if err := checkStormBody(c.Key, string(body)); err != nil {
			t.Error(err)
		}
	}
	t.Logf("%d keys acknowledged, %d listed after the kill", len(acked), len(l.Contents))
}
