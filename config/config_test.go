package config

import (
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func envOf(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

func writeConfig(t *testing.T, text string) string {
	t.Helper()
	dir := t.TempDir()
	name := filepath.Join(dir, "pintui", "config.yaml")
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(name, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestDefaults(t *testing.T) {
	l, err := Load(Options{Env: envOf(map[string]string{"HOME": "/home/ann"})})
	if err != nil {
		t.Fatal(err)
	}
	if l.Profile != "local" || l.UID != "0a1b2c3d4e5f" || l.Local.GatewayAddr != "127.0.0.1:8082" {
		t.Fatalf("defaults: %+v", l.Config)
	}
	if l.DataDir != "/home/ann/.local/share/pintui" {
		t.Fatalf("data dir %q", l.DataDir)
	}
	if l.SourceURL() != "/home/ann/.local/share/pintui/source.db" || l.Bucket() != "user-0a1b2c3d4e5f-bucket" {
		t.Fatalf("derived: %q %q", l.SourceURL(), l.Bucket())
	}
	if l.File != "" {
		t.Fatalf("no file expected, got %q", l.File)
	}
}

func TestPrecedence(t *testing.T) {
	home := writeConfig(t, `
uid: aaaaaaaaaaaa
local:
  kafka_addr: 127.0.0.1:1111
  s3_addr: 127.0.0.1:2222
  gateway_addr: 127.0.0.1:3333
`)
	l, err := Load(Options{
		Env: envOf(map[string]string{"XDG_CONFIG_HOME": home, "XDG_DATA_HOME": "/d",
			"PINTUI_LOCAL_S3_ADDR": "127.0.0.1:4444", "PINTUI_LOCAL_GATEWAY_ADDR": "127.0.0.1:5555"}),
		Flags: map[string]string{"local.gateway_addr": "127.0.0.1:6666"},
	})
	if err != nil {
		t.Fatal(err)
	}
	got := []string{l.UID, l.Local.KafkaAddr, l.Local.S3Addr, l.Local.GatewayAddr, l.DataDir}
	want := []string{"aaaaaaaaaaaa", "127.0.0.1:1111", "127.0.0.1:4444", "127.0.0.1:6666", "/d/pintui"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Fatalf("got %v want %v", got, want)
	}
	file := filepath.Join(home, "pintui", "config.yaml")
	origins := map[string]string{
		"uid": "file " + file, "local.kafka_addr": "file " + file,
		"local.s3_addr": "env PINTUI_LOCAL_S3_ADDR", "local.gateway_addr": "flag --gateway-addr",
		"color": "default",
	}
	for k, v := range origins {
		if l.Origins[k] != v {
			t.Errorf("origin of %s = %q, want %q", k, l.Origins[k], v)
		}
	}
}

func TestProfileAndSecrets(t *testing.T) {
	home := writeConfig(t, `
source:
  url: mysql://admin:hunter2@db.example:3306/pinterest_data
profiles:
  prod:
    kafka:
      brokers: [b-1.msk:9098, b-2.msk:9098]
      tls: true
      sasl: aws_msk_iam
    databricks:
      host: https://dbc-1.cloud.databricks.com
      token: dapi-secret
`)
	l, err := Load(Options{Env: envOf(map[string]string{"XDG_CONFIG_HOME": home, "PINTUI_PROFILE": "prod"})})
	if err != nil {
		t.Fatal(err)
	}
	if l.IsLocal() || len(l.Kafka.Brokers) != 2 || !l.Kafka.TLS {
		t.Fatalf("profile not applied: %+v", l.Kafka)
	}
	shown := map[string]Setting{}
	for _, s := range l.Settings() {
		shown[s.Key] = s
	}
	if v := shown["databricks.token"].Value; v != "****" {
		t.Errorf("token shown as %q", v)
	}
	if v := shown["source.url"].Value; v != "mysql://admin:****@db.example:3306/pinterest_data" {
		t.Errorf("source url shown as %q", v)
	}
	if o := shown["kafka.brokers"].Origin; o != "profile prod" {
		t.Errorf("brokers origin %q", o)
	}
	if v := shown["kafka.brokers"].Value; v != "b-1.msk:9098,b-2.msk:9098" {
		t.Errorf("brokers %q", v)
	}
}

func TestErrors(t *testing.T) {
	cases := []struct {
		name, file string
		env        map[string]string
		want       string
	}{
		{"unknown key", "kafak:\n  brokers: [x]\n", nil, `unknown setting "kafak.brokers"`},
		{"bad yaml", "uid: [\n", nil, "parse config"},
		{"bad bool", "kafka:\n  tls: maybe\n", nil, `"maybe" is not a boolean`},
		{"missing profile", "", map[string]string{"PINTUI_PROFILE": "nope"}, `profile "nope" is not defined`},
		{"bad uid", "", map[string]string{"PINTUI_UID": "Not Valid"}, `uid "Not Valid" is not valid`},
		{"uid not hex", "", map[string]string{"PINTUI_UID": "zz"}, `uid "zz" is not valid: use 12 lower-case hex digits (0-9, a-f), e.g. 0a1b2c3d4e5f`},
		{"uid too short", "", map[string]string{"PINTUI_UID": "0a1b2c3d4e5"}, `uid "0a1b2c3d4e5" is not valid: use 12`},
		{"uid upper case", "", map[string]string{"PINTUI_UID": "0A1B2C3D4E5F"}, `uid "0A1B2C3D4E5F" is not valid: use 12`},
		{"bad color", "", map[string]string{"PINTUI_COLOR": "pink"}, `color "pink" is not valid`},
		{"bad trigger", "stream:\n  trigger_interval: soon\n", nil, `stream.trigger_interval "soon" is not valid: use a positive duration such as 50ms or 1s`},
		{"zero trigger", "", map[string]string{"PINTUI_STREAM_TRIGGER_INTERVAL": "0s"}, `stream.trigger_interval "0s" is not valid`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			env := map[string]string{"XDG_CONFIG_HOME": writeConfig(t, c.file)}
			for k, v := range c.env {
				env[k] = v
			}
			_, err := Load(Options{Env: envOf(env)})
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %v, want it to contain %q", err, c.want)
			}
		})
	}
}

func TestFieldsDeclaredOnce(t *testing.T) {
	seen := map[string]bool{}
	for _, f := range Fields() {
		if f.Help == "" {
			t.Errorf("%s has no help", f.Key)
		}
		if seen[f.Env] {
			t.Errorf("%s declared twice", f.Env)
		}
		seen[f.Env] = true
	}
	if !seen["PINTUI_LOCAL_KAFKA_ADDR"] || !seen["PINTUI_DATABRICKS_TOKEN"] {
		t.Fatal("expected env names missing")
	}
}

func TestKeysFromFileEnvAndShow(t *testing.T) {
	home := writeConfig(t, "keys: {quit: [Q], pause: [space, P]}\n")
	l, err := Load(Options{Env: envOf(map[string]string{"XDG_CONFIG_HOME": home, "XDG_DATA_HOME": "/d"})})
	if err != nil {
		t.Fatal(err)
	}
	if got := l.Keys; len(got) != 2 || strings.Join(got["quit"], ",") != "Q" || strings.Join(got["pause"], ",") != "space,P" {
		t.Fatalf("keys = %v", got)
	}
	var shown string
	for _, s := range l.Settings() {
		if s.Key == "keys" {
			shown = s.Value + " from " + s.Origin
		}
	}
	if want := "{pause: [space, P], quit: [Q]} from file " + filepath.Join(home, "pintui", "config.yaml"); shown != want {
		t.Errorf("config show: %q, want %q", shown, want)
	}
	l, err = Load(Options{Env: envOf(map[string]string{"XDG_CONFIG_HOME": home, "XDG_DATA_HOME": "/d", "PINTUI_KEYS": "{help: [h, '?']}"})})
	if err != nil {
		t.Fatal(err)
	}
	if got := l.Keys; len(got) != 1 || strings.Join(got["help"], ",") != "h,?" {
		t.Errorf("PINTUI_KEYS gave %v", got)
	}
}

func TestKeysRefusedAtLoad(t *testing.T) {
	for text, want := range map[string]string{
		"keys: {quit: []}\n":             `keys: quit has no keys: give it at least one, e.g. quit: [Q]`,
		"keys: {quit: ['']}\n":           `keys: quit has an empty key: name a key such as Q, space or ctrl+q`,
		"keys: {quit: [Q], help: [Q]}\n": `keys: key "Q" is given to both help and quit: give one of them another key`,
		"keys: [quit]\n":                 `keys in file`,
		"keys: {quit: {a: b}}\n":         `keys in file`,
	} {
		home := writeConfig(t, text)
		_, err := Load(Options{Env: envOf(map[string]string{"XDG_CONFIG_HOME": home, "XDG_DATA_HOME": "/d"})})
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: err = %v, want %q", text, err, want)
		}
	}
}

// TestFlagsComeFromTheDeclaration expects the settings with a global flag to name it, and a
// value for a setting without one to be refused with where to set it instead.
func TestFlagsComeFromTheDeclaration(t *testing.T) {
	flags := map[string]string{}
	for _, f := range Fields() {
		if f.Flag != "" {
			flags[f.Key] = f.Flag
		}
	}
	want := map[string]string{"profile": "profile", "data_dir": "data-dir", "uid": "uid", "color": "color", "source.url": "source",
		"local.kafka_addr": "kafka-addr", "local.s3_addr": "s3-addr", "local.gateway_addr": "gateway-addr",
		"local.kinesis_addr": "kinesis-addr", "local.kinesis_limits": "kinesis-limits",
		"local.airflow_addr": "airflow-addr", "local.workspace_addr": "workspace-addr"}
	if !maps.Equal(flags, want) {
		t.Errorf("flags %v, want %v", flags, want)
	}
	_, err := Load(Options{Env: envOf(map[string]string{"HOME": "/h"}), Flags: map[string]string{"sink.flush_size": "5"}})
	if err == nil || err.Error() != "setting sink.flush_size has no command-line flag: set it in the config file or with PINTUI_SINK_FLUSH_SIZE" {
		t.Errorf("flag for a setting without one: %v", err)
	}
}
