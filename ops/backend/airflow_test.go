package backend

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pintui/pintui/config"
)

func cloudConfig(t *testing.T, settings map[string]string) *config.Loaded {
	t.Helper()
	dir := t.TempDir()
	awsCfg := filepath.Join(dir, "aws-config")
	if err := os.WriteFile(awsCfg, []byte("[profile dev]\nregion = eu-west-1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(dir, "pintui"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "pintui", "config.yaml"), []byte("profiles:\n  prod:\n    read_only: false\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	flags := map[string]string{"profile": "prod", "data_dir": dir}
	cfg, err := config.Load(config.Options{
		Env: func(k string) (string, bool) {
			switch k {
			case "XDG_CONFIG_HOME":
				return dir, true
			}
			for key, v := range settings {
				if k == "PINTUI_"+strings.ToUpper(strings.ReplaceAll(key, ".", "_")) {
					return v, true
				}
			}
			return "", false
		},
		Flags: flags,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("AWS_CONFIG_FILE", awsCfg)
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(dir, "aws-credentials"))
	return cfg
}

// TestAirflowInTheCloud checks which Airflow a cloud profile reaches.
func TestAirflowInTheCloud(t *testing.T) {
	for _, c := range []struct {
		flags map[string]string
		where string
	}{
		{map[string]string{"airflow.environment": "prod-env", "aws.profile": "dev"}, "MWAA environment prod-env"},
		{map[string]string{"airflow.environment": "prod-env", "airflow.cli": "true"}, "MWAA environment prod-env (CLI)"},
		{map[string]string{"airflow.url": "https://airflow.example.com/", "airflow.username": "u", "airflow.password": "p"}, "Airflow at https://airflow.example.com"},
	} {
		b := &Backends{cfg: cloudConfig(t, c.flags)}
		if err := b.openAirflow(context.Background()); err != nil {
			t.Fatal(err)
		}
		if b.Airflow == nil || b.Airflow.Where() != c.where {
			t.Errorf("%v: reaches %v, want %q", c.flags, b.Airflow, c.where)
		}
	}
	b := &Backends{cfg: cloudConfig(t, map[string]string{})}
	if err := b.openAirflow(context.Background()); err != nil || b.Airflow != nil {
		t.Fatalf("a profile without airflow.*: %v, %v", b.Airflow, err)
	}
	if got, want := b.AirflowMissing().Error(), "profile prod names no Airflow: set airflow.environment to an MWAA environment, or airflow.url to a self-hosted Airflow"; got != want {
		t.Fatalf("%s\nwant %s", got, want)
	}
}

func dagIDs(ctx context.Context, b *Backends) ([]string, error) {
	list, err := b.Airflow.DAGs(ctx)
	var ids []string
	for _, d := range list {
		ids = append(ids, d.ID)
	}
	return ids, err
}

// TestAttachedAirflowClientFollowsTheOwner checks that an attached process reaches the owner's
// scheduler with the owner's control token, and a new owner's on its new port with its new
// token.
func TestAttachedAirflowClientFollowsTheOwner(t *testing.T) {
	dir := t.TempDir()
	first := open(t, dir)
	attached := open(t, dir)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if ids, err := dagIDs(ctx, attached); err != nil || !slices.Equal(ids, []string{"0a1b2c3d4e5f_dag"}) {
		t.Fatalf("the attached process lists the DAGs %v, %v; want the pipeline's", ids, err)
	}
	before, token := first.Stack.Endpoints().Airflow, first.Stack.ControlToken()
	if err := first.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(5 * time.Second); attached.Owner().Alive && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
	}
	stopped := "the pintui that owned " + dir + " (pid " + strconv.Itoa(os.Getpid()) + ") has stopped"
	if _, err := dagIDs(ctx, attached); err == nil || !strings.Contains(err.Error(), stopped) {
		t.Errorf("DAGs with the owner gone: %v, want %q", err, stopped)
	}
	second := open(t, dir)
	for deadline := time.Now().Add(5 * time.Second); !attached.Owner().Alive && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
	}
	if after := second.Stack.Endpoints().Airflow; after == before || second.Stack.ControlToken() == token {
		t.Fatalf("the new owner serves the scheduler at %s as the old one did, or with its token; the test needs another", after)
	}
	if ids, err := dagIDs(ctx, attached); err != nil || len(ids) != 1 {
		t.Errorf("DAGs after reattaching: %v, %v; want the pipeline's from the new owner", ids, err)
	}
}
