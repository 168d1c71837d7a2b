package local

import (
	"fmt"
	"io"
	"iter"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/johannesboyne/gofakes3"

	"github.com/pintui/pintui/ops/reftool"
	"github.com/pintui/pintui/ops/s3"
)

// benchDir is a folder under $HOME for the benchmarks' stores, which are too large for /tmp.
func benchDir(b *testing.B, name string) string {
	b.Helper()
	home, err := os.UserHomeDir()
	if err != nil {
		b.Fatal(err)
	}
	return filepath.Join(home, ".cache", "pintui-bench", name)
}

// landingKeys yields n keys laid out as the sink lands them, three topics of four partitions.
func landingKeys(n int) iter.Seq[string] {
	return func(yield func(string) bool) {
		for _, topic := range []string{"u.geo", "u.pin", "u.user"} {
			for p := range 4 {
				for i := p; i < n/3; i += 4 {
					if !yield(fmt.Sprintf("topics/%s/partition=%d/%s+%d+%010d.json", topic, p, topic, p, i)) {
						return
					}
				}
			}
		}
	}
}

// benchBucket is the bucket the benchmarks fill.
const benchBucket = "bench"

// seededServer serves a store whose bucket benchBucket indexes n landing keys (seeded once, kept
// under $HOME) and holds 100 real objects under get/, as the stack does but without signatures.
func seededServer(b *testing.B, n int) (*s3Store, *httptest.Server) {
	b.Helper()
	root := benchDir(b, fmt.Sprintf("s3-%d", n))
	s, err := openS3Store(root)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	if ok, _ := s.BucketExists(benchBucket); !ok {
		if err := s.CreateBucket(benchBucket); err != nil {
			b.Fatal(err)
		}
		seedIndex(b, s, benchBucket, landingKeys(n))
		for i := range 100 {
			body := strings.Repeat("x", 1024)
			if _, err := s.PutObject(benchBucket, fmt.Sprintf("get/%03d", i), nil, strings.NewReader(body), 1024, nil); err != nil {
				b.Fatal(err)
			}
		}
	}
	srv := httptest.NewServer(keepInBucket(gofakes3.New(s, gofakes3.WithAutoBucket(false)).Server()))
	b.Cleanup(srv.Close)
	return s, srv
}

// fetch GETs a URL and reads the whole answer, failing on anything but 200.
func fetch(b *testing.B, url string) {
	resp, err := http.Get(url)
	if err != nil {
		b.Error(err)
		return
	}
	defer resp.Body.Close()
	if _, err := io.Copy(io.Discard, resp.Body); err != nil || resp.StatusCode != http.StatusOK {
		b.Errorf("GET %s: %d %v", url, resp.StatusCode, err)
	}
}

// BenchmarkListFirstPage lists the first page of topics/ through the server, as
// `aws s3api list-objects-v2 --max-keys N` does.
func BenchmarkListFirstPage(b *testing.B) {
	for _, n := range []int{60_000, 1_000_000} {
		for _, max := range []int{3, 1000} {
			b.Run(fmt.Sprintf("objects=%d/max-keys=%d", n, max), func(b *testing.B) {
				_, srv := seededServer(b, n)
				url := fmt.Sprintf("%s/%s?list-type=2&prefix=topics/&max-keys=%d", srv.URL, benchBucket, max)
				for b.Loop() {
					fetch(b, url)
				}
			})
		}
	}
}

// BenchmarkAWSCLIListFirstPage runs `aws s3api list-objects-v2 --max-keys 3` against the server,
// signed, in an empty bucket and in one of 1M keys: the difference is what the keys cost, the
// rest the CLI's own start.
func BenchmarkAWSCLIListFirstPage(b *testing.B) {
	aws := reftool.Path(b, "aws", "awscli")
	for _, n := range []int{0, 1_000_000} {
		b.Run(fmt.Sprintf("objects=%d", n), func(b *testing.B) {
			_, srv := seededServer(b, n)
			srv.Config.Handler = requireSignature(srv.Config.Handler)
			for b.Loop() {
				cmd := exec.Command(aws, "s3api", "list-objects-v2", "--bucket", benchBucket, "--prefix", "topics/",
					"--max-keys", "3", "--endpoint-url", srv.URL)
				cmd.Env = append(os.Environ(), "AWS_ACCESS_KEY_ID="+s3.LocalAccessKey, "AWS_SECRET_ACCESS_KEY="+s3.LocalSecretKey,
					"AWS_DEFAULT_REGION=us-east-1", "AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null", "AWS_CA_BUNDLE=")
				if out, err := cmd.CombinedOutput(); err != nil {
					b.Fatalf("aws s3api list-objects-v2: %v\n%s", err, out)
				}
			}
		})
	}
}

// listAll lists every key of the bucket in pages of 1000, as a client walking continuation
// tokens does, and returns how many it saw.
func listAll(s *s3Store) (int, error) {
	page := gofakes3.ListBucketPage{MaxKeys: 1000}
	n := 0
	for {
		l, err := s.ListBucket(benchBucket, nil, page)
		if err != nil {
			return n, err
		}
		n += len(l.Contents)
		if !l.IsTruncated {
			return n, nil
		}
		page.Marker, page.HasMarker = l.NextMarker, true
	}
}

// BenchmarkGet GETs 1 KiB objects through the server, alone and while full listings of the
// bucket run back to back beside it.
func BenchmarkGet(b *testing.B) {
	for _, n := range []int{60_000, 1_000_000} {
		for _, beside := range []bool{false, true} {
			name := fmt.Sprintf("objects=%d/alone", n)
			if beside {
				name = fmt.Sprintf("objects=%d/beside-full-listings", n)
			}
			b.Run(name, func(b *testing.B) {
				s, srv := seededServer(b, n)
				var stop atomic.Bool
				var wg sync.WaitGroup
				var listings atomic.Int64
				if beside {
					wg.Go(func() {
						for !stop.Load() {
							if _, err := listAll(s); err != nil {
								b.Error(err)
								return
							}
							listings.Add(1)
						}
					})
				}
				i := 0
				for b.Loop() {
					fetch(b, fmt.Sprintf("%s/%s/get/%03d", srv.URL, benchBucket, i%100))
					i++
				}
				stop.Store(true)
				wg.Wait()
				if beside {
					b.ReportMetric(float64(listings.Load()), "listings")
				}
			})
		}
	}
}

// BenchmarkPut PUTs new 1 KiB objects through the server from as many clients as -cpu says,
// each PUT a landing of flush.size 1.
func BenchmarkPut(b *testing.B) {
	root := benchDir(b, "s3-put")
	if err := os.RemoveAll(root); err != nil {
		b.Fatal(err)
	}
	h, store, err := newS3(root, benchBucket)
	if err != nil {
		b.Fatal(err)
	}
	defer store.Close()
	srv := httptest.NewServer(h)
	defer srv.Close()
	body := strings.Repeat("x", 1024)
	var seq atomic.Int64
	b.SetParallelism(4)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			req, err := http.NewRequest(http.MethodPut, fmt.Sprintf("%s/%s/topics/u.pin/partition=0/u.pin+0+%010d.json", srv.URL, benchBucket, seq.Add(1)), strings.NewReader(body))
			if err != nil {
				b.Error(err)
				return
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				b.Error(err)
				return
			}
			answer, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				b.Errorf("PUT: %d %s", resp.StatusCode, answer)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "objects/s")
}
