package command

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/pintui/pintui/pipeline/assets"
	"github.com/pintui/pintui/pipeline/dag"
)

// `deploy` puts the embedded assets (pipeline/assets) where the orchestrator and the workspace
// read them: in a cloud profile the DAG file goes to the MWAA environment's DAG folder in S3 and
// the notebooks into the Databricks workspace; locally the DAG file goes under the data dir and
// the notebooks into the local workspace.

// The assets deploy puts in place, as DeployedAsset.Asset names them.
const (
	assetDAG            = "dag"
	assetBatchNotebook  = "batch_notebook"
	assetStreamNotebook = "stream_notebook"
)

// TextTable lists each asset with where it goes and whether it is there.
func (d Deploy) TextTable() Table {
	t := Table{Columns: []string{"asset", "destination", "size_bytes", "done"}}
	for _, a := range d.Assets {
		t.Rows = append(t.Rows, []string{a.Asset, a.Destination, i64(a.SizeBytes), strconv.FormatBool(a.Done)})
	}
	return t
}

// notebookWorkspace is what deploy needs of the Databricks client (ops/databricks.Client): it
// imports a notebook as Python SOURCE at a workspace path, replacing what is there.
type notebookWorkspace interface {
	Import(ctx context.Context, path string, source []byte) error
}

// deployClients reach what deploy writes to beyond the backends; each is made on first use, so a
// dry run or the local profile never builds a cloud client it does not need.
type deployClients struct {
	// mwaa reaches the MWAA control plane, to find the environment's DAG folder.
	mwaa func(ctx context.Context) (environmentGetter, error)
	// workspace reaches the workspace the notebooks are imported into.
	workspace func(ctx context.Context) (notebookWorkspace, error)
}

// deployWorkspace is the workspace the notebooks go to: the profile's Databricks workspace, the
// local workspace in the local profile.
func (env *Env) deployWorkspace(ctx context.Context) (notebookWorkspace, error) {
	if env.Backends == nil {
		return nil, errors.New("no Databricks workspace: deploy needs the running pipeline")
	}
	c, err := env.Backends.Databricks(ctx)
	if err != nil {
		return nil, err
	}
	return c, nil
}

func (env *Env) deployCommand() *Command {
	return env.deployCommandWith(deployClients{mwaa: env.mwaaClient, workspace: env.deployWorkspace})
}

func (env *Env) deployCommandWith(clients deployClients) *Command {
	return &Command{
		Name: "deploy",
		Flags: []Flag{
			{Name: "dry-run", Bool: true, Help: "print where each asset would go (the DAG's S3 key, the notebooks' workspace paths), writing and asking nothing"},
			YesFlag,
		},
		Help: "Put the DAG file " + dag.FileName("<uid>") + " in the orchestrator's DAG folder and the batch and stream notebooks in the workspace: MWAA's S3 folder and Databricks in a cloud profile, the data dir and the local workspace locally.",
		Asks: env.deployAsks,
		Run: func(ctx context.Context, in *Invocation) (*Result, error) {
			return env.deploy(ctx, clients, in.Flag("dry-run") == "true")
		},
	}
}

// deployAsks asks before a cloud deploy replaces the DAG and the notebooks that MWAA and the
// workspace run; a dry run and the local profile change nothing in the cloud.
func (env *Env) deployAsks(in *Invocation) string {
	cfg := env.Config
	if cfg.IsLocal() || in.Flag("dry-run") == "true" {
		return ""
	}
	where := "its DAG folder"
	if cfg.Airflow.Environment != "" {
		where = "the DAG folder of MWAA environment " + cfg.Airflow.Environment
	}
	return fmt.Sprintf("upload %s to %s and import the batch and stream notebooks into %s in the Databricks workspace, replacing what is there",
		dag.FileName(cfg.UID), where, cfg.Databricks.NotebookDir)
}

// deployment is one asset with its rendered file and where it goes.
type deployment struct {
	DeployedAsset
	data []byte
}

func (env *Env) deploy(ctx context.Context, clients deployClients, dryRun bool) (*Result, error) {
	cfg := env.Config
	if err := env.checkDeploySettings(); err != nil {
		return nil, err
	}
	settings := dag.Settings{Schedule: cfg.DAG.Schedule, Catchup: cfg.DAG.Catchup, Retries: cfg.DAG.Retries, RetryDelay: cfg.DAGRetryDelay()}
	dagFile := assets.DAGFile(cfg.UID, settings, cfg.Databricks.NotebookDir, cfg.Databricks.ClusterID)
	var folder s3Folder
	dagDest := filepath.Join(cfg.DataDir, "airflow", "dags", dag.FileName(cfg.UID))
	if !cfg.IsLocal() {
		var err error
		if folder, err = env.dagFolder(ctx, clients); err != nil {
			return nil, err
		}
		dagDest = folder.url(dag.FileName(cfg.UID))
	}
	plan := []deployment{{DeployedAsset{Asset: assetDAG, Destination: dagDest}, dagFile}}
	notebooks := assets.Notebooks(cfg.UID, cfg.Databricks.NotebookDir)
	for _, nb := range []struct{ asset, kind string }{{assetBatchNotebook, dag.BatchNotebook}, {assetStreamNotebook, dag.StreamNotebook}} {
		p := dag.NotebookPath(cfg.Databricks.NotebookDir, cfg.UID, nb.kind)
		plan = append(plan, deployment{DeployedAsset{Asset: nb.asset, Destination: p}, notebooks[p]})
	}
	for i := range plan {
		plan[i].SizeBytes = int64(len(plan[i].data))
	}
	if dryRun {
		return deployResult(plan, true), nil
	}
	var err error
	if cfg.IsLocal() {
		err = writeFileAtomic(dagDest, dagFile)
	} else {
		err = env.putDAG(ctx, folder, dagFile)
	}
	if err != nil {
		return nil, err
	}
	plan[0].Done = true
	ws, err := clients.workspace(ctx)
	if err != nil {
		return nil, fmt.Errorf("import the notebooks: %w (the DAG file is at %s)", err, dagDest)
	}
	for i := 1; i < len(plan); i++ {
		if err := ws.Import(ctx, plan[i].Destination, plan[i].data); err != nil {
			return nil, fmt.Errorf("import notebook %s: %w (deployed before it: %s); run deploy again once that is fixed", plan[i].Destination, err, deployedSoFar(plan))
		}
		plan[i].Done = true
	}
	return deployResult(plan, false), nil
}

func deployResult(plan []deployment, dryRun bool) *Result {
	d := Deploy{DryRun: dryRun, Assets: []DeployedAsset{}}
	for _, p := range plan {
		d.Assets = append(d.Assets, p.DeployedAsset)
	}
	msg := fmt.Sprintf("deployed %d assets", len(d.Assets))
	if dryRun {
		msg = "dry run: nothing was written"
	}
	return &Result{Data: d, Message: msg}
}

func deployedSoFar(plan []deployment) string {
	var done []string
	for _, p := range plan {
		if p.Done {
			done = append(done, p.Destination)
		}
	}
	return strings.Join(done, ", ")
}

// jinjaMarkers open Jinja expressions, statements and comments: Airflow renders the DAG's
// notebook_task through Jinja, so a value holding one would not reach Databricks as written.
var jinjaMarkers = []string{"{{", "{%", "{#"}

// checkDeploySettings refuses settings the DAG file cannot carry as they are.
func (env *Env) checkDeploySettings() error {
	cfg := env.Config
	for _, s := range []struct{ key, value string }{
		{"databricks.notebook_dir", cfg.Databricks.NotebookDir},
		{"databricks.cluster_id", cfg.Databricks.ClusterID},
	} {
		if slices.ContainsFunc(jinjaMarkers, func(m string) bool { return strings.Contains(s.value, m) }) {
			return fmt.Errorf("%s %q holds a Jinja marker ({{, {%% or {#), which Airflow would expand: use a value without one", s.key, s.value)
		}
	}
	if !strings.HasPrefix(cfg.Databricks.NotebookDir, "/") {
		return fmt.Errorf("databricks.notebook_dir %q is not an absolute workspace path: use one such as %s", cfg.Databricks.NotebookDir, dag.DefaultNotebookDir)
	}
	if !cfg.IsLocal() && cfg.Databricks.ClusterID == "" {
		return fmt.Errorf("profile %s has no databricks.cluster_id: set it to the existing cluster the DAG's notebook runs use", cfg.Profile)
	}
	return nil
}

// writeFileAtomic replaces a file whole by a rename, so a scheduler parsing the DAG folder never
// reads half a DAG file.
func writeFileAtomic(path string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return errors.Join(fmt.Errorf("write %s: %w", path, err), os.Remove(tmp))
	}
	return nil
}
