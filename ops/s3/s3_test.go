package s3_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/pintui/pintui/ops/local"
	"github.com/pintui/pintui/ops/reftool"
	"github.com/pintui/pintui/ops/s3"
	"github.com/pintui/pintui/pipeline/objstore"
)

const uid = "0a1b2c3d4e5f"

// stack starts the embedded stack on free ports and returns a client for its S3 server.
func stack(t *testing.T) (*s3.Client, local.Endpoints) {
	t.Helper()
	st, err := local.Start(context.Background(), local.Options{
		DataDir: t.TempDir(), UID: uid, KafkaAddr: "127.0.0.1:0", S3Addr: "127.0.0.1:0", GatewayAddr: "127.0.0.1:0", KinesisAddr: "127.0.0.1:0",
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close(context.Background()) })
	cl, err := s3.New(context.Background(), s3.Settings{Endpoint: st.Endpoints().S3})
	if err != nil {
		t.Fatal(err)
	}
	return cl, st.Endpoints()
}

func keys(objs []objstore.Object) []string {
	var out []string
	for _, o := range objs {
		out = append(out, fmt.Sprintf("%s:%d", o.Key, o.Size))
	}
	return out
}

func TestStoreRoundTrip(t *testing.T) {
	ctx := context.Background()
	cl, e := stack(t)
	store := cl.Store(e.Bucket, "lakehouse/")

	if _, err := store.Get(ctx, "t/_delta_log/0.json"); !errors.Is(err, objstore.ErrNotFound) {
		t.Errorf("Get missing = %v, want ErrNotFound", err)
	}
	if err := store.Put(ctx, "t/part-0.parquet", []byte("PAR1")); err != nil {
		t.Fatal(err)
	}
	if err := store.Put(ctx, "t/part-0.parquet", []byte("PAR1 again")); err != nil {
		t.Fatal(err)
	}
	if err := store.PutIfAbsent(ctx, "t/_delta_log/0.json", []byte("{}\n")); err != nil {
		t.Fatal(err)
	}
	err := store.PutIfAbsent(ctx, "t/_delta_log/0.json", []byte("other\n"))
	if !errors.Is(err, objstore.ErrExist) {
		t.Errorf("second PutIfAbsent = %v, want ErrExist", err)
	}
	got, err := store.Get(ctx, "t/_delta_log/0.json")
	if err != nil || string(got) != "{}\n" {
		t.Errorf("Get after refused PutIfAbsent = %q, %v; want the first body", got, err)
	}
	if got, _ := store.Get(ctx, "t/part-0.parquet"); string(got) != "PAR1 again" {
		t.Errorf("Get after overwrite = %q", got)
	}
	if err := cl.Store(e.Bucket, "").Put(ctx, "topics/x.pin/partition=0/a.json", []byte("{}\n")); err != nil {
		t.Fatal(err)
	}

	objs, err := store.List(ctx, "t/")
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"t/_delta_log/0.json:3", "t/part-0.parquet:10"}; !reflect.DeepEqual(keys(objs), want) {
		t.Errorf("List = %v, want %v", keys(objs), want)
	}
	if objs[0].Modified.IsZero() {
		t.Error("List left Modified empty")
	}
	objs, err = store.ListAfter(ctx, "t/", "t/_delta_log/0.json")
	if want := []string{"t/part-0.parquet:10"}; err != nil || !reflect.DeepEqual(keys(objs), want) {
		t.Errorf("ListAfter = %v, %v; want %v", keys(objs), err, want)
	}
	if err := store.Put(ctx, "t/_delta_log/1.json", []byte("{}\n")); err != nil {
		t.Fatal(err)
	}
	folders, err := store.Folders(ctx, "t/")
	if want := []string{"t/_delta_log/"}; err != nil || !reflect.DeepEqual(folders, want) {
		t.Errorf("Folders = %q, %v; want %q", folders, err, want)
	}
	if objs, _ := store.List(ctx, "nothing/"); len(objs) != 0 {
		t.Errorf("List of an empty prefix = %v", keys(objs))
	}

	for range 2 {
		if err := store.Delete(ctx, "t/part-0.parquet"); err != nil {
			t.Errorf("Delete = %v", err)
		}
	}
	if _, err := store.Get(ctx, "t/part-0.parquet"); !errors.Is(err, objstore.ErrNotFound) {
		t.Errorf("Get after Delete = %v, want ErrNotFound", err)
	}
	if err := store.Put(ctx, "../escape", nil); err == nil {
		t.Error("Put with a .. key succeeded")
	}
}

func TestPutIfAbsentRaceHasOneWinner(t *testing.T) {
	ctx := context.Background()
	cl, e := stack(t)
	store := cl.Store(e.Bucket, "")
	var wg sync.WaitGroup
	errs := make([]error, 8)
	for i := range errs {
		wg.Go(func() { errs[i] = store.PutIfAbsent(ctx, "log/1.json", fmt.Appendf(nil, "writer %d\n", i)) })
	}
	wg.Wait()
	won := 0
	for _, err := range errs {
		switch {
		case err == nil:
			won++
		case !errors.Is(err, objstore.ErrExist):
			t.Errorf("PutIfAbsent = %v, want nil or ErrExist", err)
		}
	}
	if won != 1 {
		t.Errorf("%d writers won, want exactly 1", won)
	}
}

func TestLsAndCat(t *testing.T) {
	ctx := context.Background()
	cl, e := stack(t)
	l, err := cl.Ls(ctx, e.Bucket, "topics/", false, 0)
	if err != nil || len(l.Prefixes)+len(l.Objects) != 0 {
		t.Fatalf("Ls of a fresh bucket = %+v, %v; want empty", l, err)
	}
	store := cl.Store(e.Bucket, "")
	for _, k := range []string{
		"topics/u.pin/partition=0/u.pin+0+0000000000.json",
		"topics/u.pin/partition=0/u.pin+0+0000000001.json",
		"topics/u.geo/partition=0/u.geo+0+0000000000.json",
		"readme.txt",
	} {
		if err := store.Put(ctx, k, []byte(`{"k":"`+k+"\"}\n")); err != nil {
			t.Fatal(err)
		}
	}
	l, err = cl.Ls(ctx, e.Bucket, "", false, 0)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(l.Prefixes, []string{"topics/"}) || !reflect.DeepEqual(keys(l.Objects), []string{"readme.txt:19"}) {
		t.Errorf("Ls root = %v %v", l.Prefixes, keys(l.Objects))
	}
	l, err = cl.Ls(ctx, e.Bucket, "topics/", false, 0)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"topics/u.geo/", "topics/u.pin/"}; !reflect.DeepEqual(l.Prefixes, want) || len(l.Objects) != 0 {
		t.Errorf("Ls topics/ = %v %v, want %v", l.Prefixes, keys(l.Objects), want)
	}
	l, err = cl.Ls(ctx, e.Bucket, "topics/u.pin/", true, 0)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"topics/u.pin/partition=0/u.pin+0+0000000000.json:57", "topics/u.pin/partition=0/u.pin+0+0000000001.json:57"}
	if !reflect.DeepEqual(keys(l.Objects), want) {
		t.Errorf("Ls recursive = %v, want %v", keys(l.Objects), want)
	}

	for limit, more := range map[int]bool{1: true, 2: false, 3: false} {
		l, err = cl.Ls(ctx, e.Bucket, "topics/u.pin/", true, limit)
		if err != nil || len(l.Objects) != min(limit, 2) || l.More != more {
			t.Errorf("Ls limit %d = %v more %v, %v; want %d objects, more %v", limit, keys(l.Objects), l.More, err, min(limit, 2), more)
		}
	}

	var out bytes.Buffer
	n, err := cl.Cat(ctx, e.Bucket, "readme.txt", &out)
	if err != nil || n != 19 || out.String() != "{\"k\":\"readme.txt\"}\n" {
		t.Errorf("Cat = %d %q %v", n, out.String(), err)
	}
	_, err = cl.Cat(ctx, e.Bucket, "missing.json", &out)
	if !errors.Is(err, objstore.ErrNotFound) || !strings.Contains(err.Error(), "list the prefix with s3 ls") {
		t.Errorf("Cat missing = %v", err)
	}
	_, err = cl.Ls(ctx, "user-nobody-bucket", "", false, 0)
	if err == nil || !strings.Contains(err.Error(), "the bucket does not exist") {
		t.Errorf("Ls of a missing bucket = %v", err)
	}
}

func TestAWSCLIListsStoredObjects(t *testing.T) {
	aws := reftool.Path(t, "aws", "awscli")
	ctx := context.Background()
	cl, e := stack(t)
	store := cl.Store(e.Bucket, "")
	for _, k := range []string{"topics/u.pin/partition=0/u.pin+0+0000000000.json", "lakehouse/t/_delta_log/00000000000000000000.json"} {
		if err := store.Put(ctx, k, []byte("{}\n")); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.Command(aws, "s3", "ls", "--recursive", "--endpoint-url", e.S3, "s3://"+e.Bucket+"/")
	cmd.Env = append(withoutCABundle(os.Environ()),
		"AWS_ACCESS_KEY_ID="+s3.LocalAccessKey, "AWS_SECRET_ACCESS_KEY="+s3.LocalSecretKey, "AWS_REGION=us-east-1",
		"AWS_DEFAULT_REGION=us-east-1", "AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("aws s3 ls: %v\n%s", err, out)
	}
	var got []string
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		// Lines are "<date> <time> <size> <key>".
		f := strings.Fields(line)
		if len(f) == 4 {
			got = append(got, f[2]+" "+f[3])
		}
	}
	want := []string{"3 lakehouse/t/_delta_log/00000000000000000000.json", "3 topics/u.pin/partition=0/u.pin+0+0000000000.json"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("aws s3 ls = %q\nwant %q\n%s", got, want, out)
	}
}

func withoutCABundle(env []string) []string {
	var out []string
	for _, kv := range env {
		if !strings.HasPrefix(kv, "AWS_") {
			out = append(out, kv)
		}
	}
	return out
}

func TestEnsureBucketCreatesOnce(t *testing.T) {
	ctx := context.Background()
	cl, e := stack(t)
	for _, b := range []string{e.Bucket, "user-other-bucket", "user-other-bucket"} {
		if err := cl.EnsureBucket(ctx, b); err != nil {
			t.Fatalf("EnsureBucket(%s) = %v", b, err)
		}
	}
	if err := cl.Store("user-other-bucket", "").Put(ctx, "k", []byte("v")); err != nil {
		t.Errorf("Put into the new bucket = %v", err)
	}
}

// BenchmarkStorePut measures one-record landings (flush.size=1) through the embedded S3 server.
func BenchmarkStorePut(b *testing.B) {
	st, err := local.Start(context.Background(), local.Options{
		DataDir: b.TempDir(), UID: uid, KafkaAddr: "127.0.0.1:0", S3Addr: "127.0.0.1:0", GatewayAddr: "127.0.0.1:0", KinesisAddr: "127.0.0.1:0",
	})
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close(context.Background())
	cl, err := s3.New(context.Background(), s3.Settings{Endpoint: st.Endpoints().S3})
	if err != nil {
		b.Fatal(err)
	}
	store := cl.Store(st.Endpoints().Bucket, "")
	body := bytes.Repeat([]byte("x"), 600)
	b.SetBytes(int64(len(body)))
	i := 0
	for b.Loop() {
		if err := store.Put(context.Background(), fmt.Sprintf("topics/u.pin/partition=0/u.pin+0+%010d.json", i), body); err != nil {
			b.Fatal(err)
		}
		i++
	}
}
