package backend

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

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
