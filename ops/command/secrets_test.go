package command

import (
	"strings"
	"testing"

	"github.com/pintui/pintui/config"
	"github.com/pintui/pintui/ops/backend"
	"github.com/pintui/pintui/pipeline/source"
)

// TestNoOutputPrintsASecret tries each form a secret takes in source.url, and a secret in every
// other URL-valued setting, against each output that shows them: config show, config check, the
// source's status detail and the error of a failing source open.
func TestNoOutputPrintsASecret(t *testing.T) {
	forms := []string{
		"mysql://u:hunter2@127.0.0.1:1/db",
		"mysql://u@127.0.0.1:1/db?password=hunter2&token=hunter2",
		"mysql://u:hunter2@h:notaport/db",
		"u:hunter2@tcp(127.0.0.1:1)/db",
	}
	for _, form := range forms {
		dir := t.TempDir()
		env := map[string]string{"HOME": dir, "PINTUI_DATA_DIR": dir, "PINTUI_SOURCE_URL": form,
			"PINTUI_LOCAL_KAFKA_ADDR": "127.0.0.1:0", "PINTUI_LOCAL_S3_ADDR": "127.0.0.1:0", "PINTUI_LOCAL_GATEWAY_ADDR": "127.0.0.1:0", "PINTUI_LOCAL_KINESIS_ADDR": "127.0.0.1:0", "PINTUI_LOCAL_AIRFLOW_ADDR": "127.0.0.1:0",
			"PINTUI_LOCAL_WORKSPACE_ADDR": "127.0.0.1:0"}
		for _, key := range []string{"DATABRICKS_HOST", "AIRFLOW_URL", "GATEWAY_INVOKE_URL", "S3_ENDPOINT"} {
			env["PINTUI_"+key] = "https://u:hunter2@h.example/x?token=hunter2"
		}
		cfg, err := config.Load(config.Options{Env: func(k string) (string, bool) { v, ok := env[k]; return v, ok }})
		if err != nil {
			t.Fatal(err)
		}
		var printed []string
		for _, s := range cfg.Settings() {
			printed = append(printed, "config show "+s.Key+": "+s.Value)
		}
		for _, c := range backend.CheckConfig(t.Context(), cfg) {
			printed = append(printed, "config check "+c.Name+": "+c.Detail+" / "+c.Fix)
		}
		status := (&Env{Config: cfg}).countSource(t.Context())
		printed = append(printed, "status source: "+status.Detail)
		_, err = source.Open(t.Context(), cfg.SourceURL())
		if err == nil {
			t.Fatalf("%s opened", form)
		}
		printed = append(printed, "source open: "+err.Error())
		for _, p := range printed {
			if strings.Contains(p, "hunter2") {
				t.Errorf("%s: %s", form, p)
			}
		}
	}
}
