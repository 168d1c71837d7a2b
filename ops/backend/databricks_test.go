package backend

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"github.com/pintui/pintui/ops/local"
	"github.com/pintui/pintui/pipeline/dag"
)

func TestLocalTasksSubmitToTheWorkspaceWithTheControlToken(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, local.TokenName), []byte("0123abcd"), 0o600); err != nil {
		t.Fatal(err)
	}
	var auth []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		auth = append(auth, r.Method+" "+r.URL.Path+" "+r.Header.Get("Authorization"))
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"run_id":5}`))
	}))
	defer srv.Close()
	runner, err := localTasks(local.Endpoints{Workspace: srv.URL, DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	id, err := runner.Submit(context.Background(), dag.NotebookTask{RunName: "0a1b2c3d4e5f_dag.load_landings", TaskKey: dag.TaskLoadLandings, NotebookPath: "/Shared/pintui/0a1b2c3d4e5f_batch"})
	if err != nil || id != 5 {
		t.Fatalf("submit: %d, %v", id, err)
	}
	if len(auth) != 1 || auth[0] != "POST /api/2.2/jobs/runs/submit Bearer 0123abcd" {
		t.Fatalf("requests %v, want one runs/submit with the control token", auth)
	}
}

func TestLocalTasksWithoutAWorkspaceFailEachTaskSayingWhy(t *testing.T) {
	runner, err := localTasks(local.Endpoints{DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := runner.Submit(context.Background(), dag.NotebookTask{}); !errors.Is(err, errNoLocalWorkspace) {
		t.Fatalf("submit: %v, want %v", err, errNoLocalWorkspace)
	}
}
