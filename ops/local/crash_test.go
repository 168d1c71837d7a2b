package local

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"reflect"
	"testing"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/pintui/pintui/ops/kafka"
)

// helperEnv makes the test binary act as a separate pintui owning the stack in the named dir.
const helperEnv = "PINTUI_LOCAL_STACK_HELPER"

func TestMain(m *testing.M) {
	if dir := os.Getenv(helperEnv); dir != "" {
		runOwner(dir)
		return
	}
	if dir := os.Getenv(kinesisHelperEnv); dir != "" {
		runKinesisWriter(dir)
		return
	}
	if dir := os.Getenv(s3WriterEnv); dir != "" {
		runS3Writer(dir)
		return
	}
	os.Exit(m.Run())
}

// runOwner starts the stack, writes two records and a group commit, says "ready" and waits to be killed.
func runOwner(dir string) {
	ctx := context.Background()
	s, err := Start(ctx, freePorts(dir))
	if err != nil {
		fmt.Println("error:", err)
		os.Exit(1)
	}
	cl, err := kgo.NewClient(kgo.SeedBrokers(s.Endpoints().Kafka))
	if err != nil {
		fmt.Println("error:", err)
		os.Exit(1)
	}
	for _, v := range []string{"a", "b"} {
		if err := cl.ProduceSync(ctx, &kgo.Record{Topic: uid + ".geo", Value: []byte(v)}).FirstErr(); err != nil {
			fmt.Println("error:", err)
			os.Exit(1)
		}
	}
	var offsets kadm.Offsets
	offsets.AddOffset(uid+".geo", 0, 1, -1)
	if err := kadm.NewClient(cl).CommitAllOffsets(ctx, "sink", offsets); err != nil {
		fmt.Println("error:", err)
		os.Exit(1)
	}
	fmt.Println("ready")
	select {}
}

func TestKilledOwnerIsReplacedAndLosesNothing(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	owner := exec.Command(os.Args[0], "-test.run=^$")
	owner.Env = append(os.Environ(), helperEnv+"="+dir)
	out, err := owner.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := owner.Start(); err != nil {
		t.Fatal(err)
	}
	defer owner.Process.Kill()
	if line, _ := bufio.NewReader(out).ReadString('\n'); line != "ready\n" {
		t.Fatalf("owner process said %q, want ready", line)
	}

	attached := start(t, freePorts(dir))
	if attached.Owned() || attached.OwnerPID() != owner.Process.Pid {
		t.Fatalf("Start beside a running owner: owned %v, owner pid %d; want attached to pid %d", attached.Owned(), attached.OwnerPID(), owner.Process.Pid)
	}

	if err := owner.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	owner.Wait()

	s := start(t, freePorts(dir))
	if !s.Owned() {
		t.Fatal("Start after the owner was killed attached, want it to own the stack")
	}
	tp, err := kafkaClient(t, s).Topic(ctx, uid+".geo")
	if err != nil {
		t.Fatal(err)
	}
	if want := []kafka.Partition{{ID: 0, Start: 0, End: 2}}; !reflect.DeepEqual(tp.Partitions, want) {
		t.Errorf("partitions after kill = %+v, want %+v", tp.Partitions, want)
	}
	if len(tp.Groups) != 1 || tp.Groups[0].Partitions[0].Committed != 1 {
		t.Errorf("groups after kill = %+v, want sink committed at 1", tp.Groups)
	}
}
