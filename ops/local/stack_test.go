package local

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/pintui/pintui/ops/kafka"
)

const uid = "0a1b2c3d4e5f"

// freePorts lets every test run beside a pintui already using the default ports.
func freePorts(dir string) Options {
	return Options{DataDir: dir, UID: uid, KafkaAddr: "127.0.0.1:0", S3Addr: "127.0.0.1:0", GatewayAddr: "127.0.0.1:0", KinesisAddr: "127.0.0.1:0",
		AirflowAddr: "127.0.0.1:0", WorkspaceAddr: "127.0.0.1:0"}
}

func start(t *testing.T, opts Options) *Stack {
	t.Helper()
	s, err := Start(context.Background(), opts)
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() { s.Close(context.Background()) })
	return s
}

func kafkaClient(t *testing.T, s *Stack) *kafka.Client {
	t.Helper()
	cl, err := kafka.New(context.Background(), kafka.Settings{Brokers: []string{s.Endpoints().Kafka}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cl.Close)
	return cl
}

func TestStartCreatesTopicsAndBucket(t *testing.T) {
	ctx := context.Background()
	s := start(t, freePorts(t.TempDir()))
	if !s.Owned() || s.OwnerPID() != os.Getpid() {
		t.Fatalf("Owned() = %v, OwnerPID() = %d; want an owned stack of this process", s.Owned(), s.OwnerPID())
	}
	e := s.Endpoints()
	if !strings.HasPrefix(e.Kafka, "127.0.0.1:") || strings.HasSuffix(e.Kafka, ":0") {
		t.Errorf("Kafka endpoint = %q, want 127.0.0.1 with the chosen port", e.Kafka)
	}
	if !strings.HasPrefix(e.S3, "http://127.0.0.1:") || !strings.HasPrefix(e.Gateway, "http://127.0.0.1:") || e.Bucket != "user-0a1b2c3d4e5f-bucket" {
		t.Errorf("endpoints = %+v, want loopback S3 and gateway and the uid's bucket", e)
	}
	topics, err := kafkaClient(t, s).Topics(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, tp := range topics {
		got = append(got, fmt.Sprintf("%s/%d", tp.Name, len(tp.Partitions)))
	}
	want := []string{"0a1b2c3d4e5f.geo/1", "0a1b2c3d4e5f.pin/1", "0a1b2c3d4e5f.user/1"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("topics = %v, want %v", got, want)
	}
	if status, body := s3Call(t, http.MethodGet, e.S3+"/"+e.Bucket+"?list-type=2", nil); status != http.StatusOK {
		t.Errorf("list bucket: status %d %s, want 200", status, body)
	}
}

func TestRestartKeepsRecordsOffsetsAndObjects(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	topic := uid + ".pin"

	s, err := Start(ctx, freePorts(dir))
	if err != nil {
		t.Fatal(err)
	}
	prod, err := kgo.NewClient(kgo.SeedBrokers(s.Endpoints().Kafka))
	if err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		r := &kgo.Record{Topic: topic, Value: fmt.Appendf(nil, `{"index":%d}`, i)}
		if err := prod.ProduceSync(ctx, r).FirstErr(); err != nil {
			t.Fatal(err)
		}
	}
	var offsets kadm.Offsets
	offsets.AddOffset(topic, 0, 2, -1)
	if err := kadm.NewClient(prod).CommitAllOffsets(ctx, "sink", offsets); err != nil {
		t.Fatal(err)
	}
	prod.Close()
	if status, body := s3Call(t, http.MethodPut, s.Endpoints().S3+"/"+Bucket(uid)+"/topics/a.json", []byte("{}\n")); status != http.StatusOK {
		t.Fatalf("put object: %d %s", status, body)
	}
	if err := s.Close(ctx); err != nil {
		t.Fatal(err)
	}

	s = start(t, freePorts(dir))
	cl := kafkaClient(t, s)
	tp, err := cl.Topic(ctx, topic)
	if err != nil {
		t.Fatal(err)
	}
	if want := []kafka.Partition{{ID: 0, Start: 0, End: 3}}; !reflect.DeepEqual(tp.Partitions, want) {
		t.Errorf("partitions after restart = %+v, want %+v", tp.Partitions, want)
	}
	if len(tp.Groups) != 1 || tp.Groups[0].Group != "sink" || tp.Groups[0].Total != 1 ||
		tp.Groups[0].Partitions[0].Committed != 2 {
		t.Errorf("groups after restart = %+v, want sink committed at 2 with lag 1", tp.Groups)
	}
	var values []string
	err = cl.Tail(ctx, topic, kafka.TailOptions{From: kafka.Beginning}, func(r kafka.Record) error {
		values = append(values, string(r.Value))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{`{"index":0}`, `{"index":1}`, `{"index":2}`}; !reflect.DeepEqual(values, want) {
		t.Errorf("records after restart = %q, want %q", values, want)
	}
	if _, body := s3Call(t, http.MethodGet, s.Endpoints().S3+"/"+Bucket(uid)+"/topics/a.json", nil); body != "{}\n" {
		t.Errorf("object after restart = %q, want %q", body, "{}\n")
	}
}

func TestSecondStartAttaches(t *testing.T) {
	dir := t.TempDir()
	owner := start(t, freePorts(dir))
	second := start(t, freePorts(dir))
	if second.Owned() {
		t.Fatal("second Start on the same data dir owns a stack, want it attached")
	}
	if second.Endpoints() != owner.Endpoints() || second.OwnerPID() != os.Getpid() {
		t.Errorf("attached endpoints = %+v (pid %d), want the owner's %+v", second.Endpoints(), second.OwnerPID(), owner.Endpoints())
	}
	if err := second.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	other := freePorts(dir)
	other.UID = "ffffffffffff"
	_, err := Start(context.Background(), other)
	if err == nil || !strings.Contains(err.Error(), "it serves bucket user-0a1b2c3d4e5f-bucket, not user-ffffffffffff-bucket") {
		t.Errorf("attach with another uid = %v", err)
	}
	if _, err := kafkaClient(t, owner).Topics(context.Background()); err != nil {
		t.Errorf("owner stopped serving after the attached stack closed: %v", err)
	}
	if err := owner.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "stack.json")); !os.IsNotExist(err) {
		t.Errorf("stack.json after Close: %v, want it removed", err)
	}
}

func TestStaleStateOfCrashedOwnerIsReplaced(t *testing.T) {
	dir := t.TempDir()
	stale := `{"token":"dead","pid":999999,"endpoints":{"kafka":"127.0.0.1:1","s3":"http://127.0.0.1:1"}}`
	if err := os.WriteFile(filepath.Join(dir, "stack.json"), []byte(stale), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "stack.lock"), []byte("dead"), 0o644); err != nil {
		t.Fatal(err)
	}
	s := start(t, freePorts(dir))
	if !s.Owned() {
		t.Fatal("Start beside a crashed owner's files attached, want it to own the stack")
	}
	data, err := os.ReadFile(filepath.Join(dir, "stack.json"))
	if err != nil {
		t.Fatal(err)
	}
	var st stateFile
	if err := json.Unmarshal(data, &st); err != nil {
		t.Fatal(err)
	}
	if st.PID != os.Getpid() || st.Endpoints != s.Endpoints() || st.Token == "dead" {
		t.Errorf("stack.json = %s, want this process's endpoints and a new token", data)
	}
	attached := start(t, freePorts(dir))
	if attached.Endpoints() != s.Endpoints() {
		t.Errorf("attached to %+v, want %+v", attached.Endpoints(), s.Endpoints())
	}
}

func TestAttachGivesUpWhenOwnerNeverPublishes(t *testing.T) {
	dir := t.TempDir()
	lock, err := lockDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer unlockDir(lock)
	stale := `{"token":"old","pid":1,"endpoints":{"kafka":"127.0.0.1:1"}}`
	if err := os.WriteFile(filepath.Join(dir, "stack.json"), []byte(stale), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = Start(ctx, freePorts(dir))
	if err == nil || !strings.Contains(err.Error(), "the owner has not published stack.json yet") {
		t.Errorf("Start = %v, want an error saying the owner has not published its endpoints", err)
	}
}

func TestGatewayServesOnItsAddress(t *testing.T) {
	var seen Endpoints
	closed := false
	opts := freePorts(t.TempDir())
	opts.Gateway = func(_ context.Context, e Endpoints) (http.Handler, func(), error) {
		seen = e
		h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "gateway "+r.URL.Path) })
		return h, func() { closed = true }, nil
	}
	s := start(t, opts)
	if seen.Kafka != s.Endpoints().Kafka || seen.Gateway != s.Endpoints().Gateway || seen.Gateway == "" {
		t.Errorf("gateway built with %+v, want the stack's endpoints %+v", seen, s.Endpoints())
	}
	resp, err := http.Get(s.Endpoints().Gateway + "/topics/x")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(body) != "gateway /topics/x" {
		t.Errorf("gateway answered %q", body)
	}
	if err := s.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if !closed {
		t.Error("Close did not release the gateway")
	}
}

func TestStartRefusesAddressesOffLoopback(t *testing.T) {
	opts := freePorts(t.TempDir())
	opts.S3Addr = "0.0.0.0:0"
	_, err := Start(context.Background(), opts)
	if err == nil || err.Error() != `s3 address "0.0.0.0:0" is not loopback: local mode listens on 127.0.0.1 only` {
		t.Errorf("Start = %v", err)
	}
	// The failed start released the dir.
	start(t, freePorts(opts.DataDir))
}

func TestEndpointsRender(t *testing.T) {
	e := Endpoints{Gateway: "http://127.0.0.1:8082", Kafka: "127.0.0.1:9092", S3: "http://127.0.0.1:9000", Kinesis: "http://127.0.0.1:4567",
		Airflow: "http://127.0.0.1:8080", Workspace: "http://127.0.0.1:8090", Bucket: "user-x-bucket", DataDir: "/d", Control: "http://127.0.0.1:40000"}
	want := "gateway=http://127.0.0.1:8082\nkafka=127.0.0.1:9092\ns3=http://127.0.0.1:9000\nkinesis=http://127.0.0.1:4567\nairflow=http://127.0.0.1:8080\nworkspace=http://127.0.0.1:8090\nbucket=user-x-bucket\ndata_dir=/d\ncontrol=http://127.0.0.1:40000\n"
	if e.String() != want {
		t.Errorf("String() = %q, want %q", e.String(), want)
	}
	data, err := json.Marshal(e)
	if err != nil {
		t.Fatal(err)
	}
	wantJSON := `{"gateway":"http://127.0.0.1:8082","kafka":"127.0.0.1:9092","s3":"http://127.0.0.1:9000","kinesis":"http://127.0.0.1:4567","airflow":"http://127.0.0.1:8080","workspace":"http://127.0.0.1:8090","bucket":"user-x-bucket","data_dir":"/d","control":"http://127.0.0.1:40000"}`
	if string(data) != wantJSON {
		t.Errorf("JSON = %s, want %s", data, wantJSON)
	}
}

func TestDefaultGatewayProducesToTheStacksKafka(t *testing.T) {
	ctx := context.Background()
	s := start(t, freePorts(t.TempDir()))
	body := `{"records":[{"value":{"index":7528,"category":"mens-fashion"}}]}`
	resp, err := http.Post(s.Endpoints().Gateway+"/dev/topics/"+uid+".pin", "application/vnd.kafka.json.v2+json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	answer, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("produce: status %d: %s", resp.StatusCode, answer)
	}
	var values []string
	err = kafkaClient(t, s).Tail(ctx, uid+".pin", kafka.TailOptions{From: kafka.Beginning}, func(r kafka.Record) error {
		values = append(values, string(r.Value))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{`{"index":7528,"category":"mens-fashion"}`}; !reflect.DeepEqual(values, want) {
		t.Errorf("records = %q, want %q", values, want)
	}
}
