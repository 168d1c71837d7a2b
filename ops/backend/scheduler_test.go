package backend

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"strings"
	"testing"
)

// schedulerEnv is a fresh local profile whose every listener takes a free port.
func schedulerEnv(t *testing.T, schedule string) (string, map[string]string) {
	t.Helper()
	home, err := os.UserHomeDir()
	if err != nil {
		t.Fatal(err)
	}
	dir, err := os.MkdirTemp(home, "pintui-scheduler-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	return dir, map[string]string{
		"PINTUI_LOCAL_KAFKA_ADDR": "127.0.0.1:0", "PINTUI_LOCAL_S3_ADDR": "127.0.0.1:0", "PINTUI_LOCAL_GATEWAY_ADDR": "127.0.0.1:0",
		"PINTUI_LOCAL_KINESIS_ADDR": "127.0.0.1:0", "PINTUI_LOCAL_AIRFLOW_ADDR": "127.0.0.1:0", "PINTUI_LOCAL_WORKSPACE_ADDR": "127.0.0.1:0",
		"PINTUI_DAG_SCHEDULE": schedule, "XDG_CONFIG_HOME": dir,
	}
}

func TestTheOwnerSchedulesTheDAGWithTheConfiguredSchedule(t *testing.T) {
	dir, env := schedulerEnv(t, "0 6 * * *")
	b, err := Open(context.Background(), loadedConfig(t, dir, env))
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close(context.Background())
	req, err := http.NewRequest("GET", b.Stack.Endpoints().Airflow+"/api/v1/dags/0a1b2c3d4e5f_dag", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+b.Stack.ControlToken())
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var d struct {
		IsPaused         bool `json:"is_paused"`
		ScheduleInterval struct {
			Value string `json:"value"`
		} `json:"schedule_interval"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&d); err != nil || resp.StatusCode != 200 {
		t.Fatalf("GET the DAG: %d %v", resp.StatusCode, err)
	}
	if d.ScheduleInterval.Value != "0 6 * * *" || d.IsPaused {
		t.Errorf("the scheduler runs %+v, want 0 6 * * * unpaused", d)
	}
}

func TestAnInvalidScheduleStopsTheOwnerFromStarting(t *testing.T) {
	dir, env := schedulerEnv(t, "every day")
	_, err := Open(context.Background(), loadedConfig(t, dir, env))
	if err == nil || !strings.Contains(err.Error(), `start the scheduler: dag.schedule "every day" is not valid: expected exactly 5 fields, found 2: [every day]: use a cron expression`) {
		t.Errorf("Open with an invalid schedule: %v", err)
	}
}
