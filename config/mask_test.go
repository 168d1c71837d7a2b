package config

import (
	"strings"
	"testing"
)

// TestMaskHidesEverySecretForm tries each form a secret takes in a URL-valued setting.
func TestMaskHidesEverySecretForm(t *testing.T) {
	cases := map[string]string{
		"": "",
		"/home/ann/.local/share/pintui/source.db":                  "/home/ann/.local/share/pintui/source.db",
		"mysql://admin:hunter2@db.example:3306/pinterest_data":     "mysql://admin:****@db.example:3306/pinterest_data",
		"mysql://admin@db.example/pinterest_data":                  "mysql://admin@db.example/pinterest_data",
		"mysql://u:p%40ss@h/db?timeout=5s":                         "mysql://u:****@h/db?timeout=5s",
		"mysql://u@h/db?password=hunter2&tls=true":                 "mysql://u@h/db?password=****&tls=true",
		"https://dbc-1.cloud.databricks.com/?token=dapi-hunter2":   "https://dbc-1.cloud.databricks.com/?token=****",
		"https://h/x?X-Amz-Signature=abc&X-Amz-Credential=AKIA%2F": "https://h/x?X-Amz-Signature=****&X-Amz-Credential=****",
		"https://h/x?api_key=abc&Secret=def&sig=ghi&auth=jkl":      "https://h/x?api_key=****&Secret=****&sig=****&auth=****",
		"https://h/x?%zz=hunter2":                                  "https://h/x?****",
		"https://h/x#access_token=hunter2":                         "https://h/x#****",
		"http://airflow:hunter2@airflow.example:8080/api/v1":       "http://airflow:****@airflow.example:8080/api/v1",
		"mysql://u:hunter2@h:notaport/db":                          "mysql://****",
		"mysql://u:hun/ter2@h/db":                                  "mysql://****",
		"u:hunter2@tcp(h:3306)/db":                                 "u:****@tcp(h:3306)/db",
		"u:hun@ter2@tcp(h:3306)/db?password=x":                     "u:****@tcp(h:3306)/db?password=****",
		"u@unix(/run/mysqld.sock)/db":                              "u@unix(/run/mysqld.sock)/db",
		"127.0.0.1:9000":                                           "127.0.0.1:9000",
		"://hunter2":                                               "****",
	}
	for in, want := range cases {
		if got := Mask(in); got != want {
			t.Errorf("Mask(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestEveryURLSettingIsMasked expects config show to mask each URL-valued setting, not only
// source.url.
func TestEveryURLSettingIsMasked(t *testing.T) {
	env := map[string]string{"HOME": "/h"}
	for _, key := range []string{"source.url", "databricks.host", "airflow.url", "gateway.invoke_url", "s3.endpoint"} {
		env["PINTUI_"+strings.ToUpper(strings.ReplaceAll(key, ".", "_"))] = "https://u:hunter2@h.example/x?token=hunter2"
	}
	l, err := Load(Options{Env: envOf(env)})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range l.Settings() {
		if strings.Contains(s.Value, "hunter2") {
			t.Errorf("config show prints %s as %q", s.Key, s.Value)
		}
	}
}

// TestMaskTextHidesURLsInErrors expects the URLs an error quotes to be masked where they stand.
func TestMaskTextHidesURLsInErrors(t *testing.T) {
	cases := map[string]string{
		`Get "http://u:***@127.0.0.1:1/dev?token=hunter2/topics": dial tcp 127.0.0.1:1: connect: connection refused`: `Get "http://u:****@127.0.0.1:1/dev?token=****": dial tcp 127.0.0.1:1: connect: connection refused`,
		"Custom endpoint `http://u:hunter2@127.0.0.1:notaport/dev` was not a valid URI":                              "Custom endpoint `http://****` was not a valid URI",
		"open source /data/source.db: no such table":                                                                 "open source /data/source.db: no such table",
	}
	for in, want := range cases {
		if got := MaskText(in); got != want {
			t.Errorf("MaskText(%q)\n got %q\nwant %q", in, got, want)
		}
	}
}
