package command

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/mwaa"

	"github.com/pintui/pintui/config"
	"github.com/pintui/pintui/ops/backend"
	"github.com/pintui/pintui/ops/databricks"
	"github.com/pintui/pintui/ops/databricks/databrickstest"
	"github.com/pintui/pintui/pipeline/assets"
	"github.com/pintui/pintui/pipeline/dag"
)

// loadProfile loads the config file text with profile selected and the flags given.
func loadProfile(t *testing.T, file, profile string, flags map[string]string) *config.Loaded {
	t.Helper()
	dir := t.TempDir()
	path := filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(path, []byte(file), 0o644); err != nil {
		t.Fatal(err)
	}
	all := map[string]string{"profile": profile}
	for k, v := range flags {
		all[k] = v
	}
	cfg, err := config.Load(config.Options{File: path, Env: func(string) (string, bool) { return "", false }, Flags: all})
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

const prodProfile = `
profiles:
  prod:
    aws:
      region: eu-west-1
    airflow:
      environment: pinterest-prod
    databricks:
      cluster_id: 0101-120000-abcd1234
      notebook_dir: /Workspace/pipelines
`

// The Databricks client is what deploy imports the notebooks through.
var _ notebookWorkspace = (*databricks.Client)(nil)

// fakeWorkspace records the notebooks imported into it.
type fakeWorkspace struct {
	mu       sync.Mutex
	imported map[string][]byte
	err      error
}

func (w *fakeWorkspace) Import(_ context.Context, path string, source []byte) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.err != nil {
		return w.err
	}
	if w.imported == nil {
		w.imported = map[string][]byte{}
	}
	w.imported[path] = source
	return nil
}

// fakeMWAA answers GetEnvironment as the MWAA control plane does, on the wire, for the one
// environment it knows; calls counts the requests.
func fakeMWAA(t *testing.T, name, bucketARN, dagPath string) (deployClients, *atomic.Int32) {
	t.Helper()
	calls := new(atomic.Int32)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		w.Header().Set("Content-Type", "application/json")
		if r.Method != http.MethodGet || r.URL.Path != "/environments/"+name {
			w.Header().Set("X-Amzn-Errortype", "ResourceNotFoundException")
			w.WriteHeader(http.StatusNotFound)
			w.Write([]byte(`{"message":"Environment not found"}`))
			return
		}
		w.Write([]byte(`{"Environment":{"Name":"` + name + `","SourceBucketArn":"` + bucketARN + `","DagS3Path":"` + dagPath + `","Status":"AVAILABLE"}}`))
	}))
	t.Cleanup(srv.Close)
	// The SDK puts "api." before the endpoint's host, as MWAA's control plane is named; every
	// connection goes to the fake whatever the host.
	dial := func(ctx context.Context, network, _ string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, network, srv.Listener.Addr().String())
	}
	api := mwaa.New(mwaa.Options{
		Region:       "eu-west-1",
		BaseEndpoint: aws.String(srv.URL),
		Credentials:  credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "secret", ""),
		HTTPClient:   &http.Client{Transport: &http.Transport{DialContext: dial}},
	})
	return deployClients{mwaa: func(context.Context) (environmentGetter, error) { return api, nil }}, calls
}

func deployRegistry(env *Env, clients deployClients) *Registry {
	r := NewRegistry()
	if env.Config.ReadOnly {
		r.readOnly = env.Config.Profile
	}
	r.Add(env.deployCommandWith(clients))
	return r
}

func output(t *testing.T, res *Result, f Format) string {
	t.Helper()
	var b bytes.Buffer
	if err := res.Write(&b, f); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func TestDeployDryRunPrintsWhereEachAssetGoes(t *testing.T) {
	cfg := loadProfile(t, prodProfile, "prod", nil)
	clients, calls := fakeMWAA(t, "pinterest-prod", "arn:aws:s3:::airflow-pinterest-prod", "dags")
	clients.workspace = func(context.Context) (notebookWorkspace, error) {
		t.Error("a dry run reached the workspace")
		return nil, errors.New("no")
	}
	res, err := deployRegistry(&Env{Config: cfg}, clients).Run(context.Background(), "deploy --dry-run")
	if err != nil {
		t.Fatal(err)
	}
	size := func(b []byte) string { return itoa(len(b)) }
	dagFile := assets.DAGFile("0a1b2c3d4e5f", dag.DefaultSettings(), "/Workspace/pipelines", "0101-120000-abcd1234")
	batch, stream := assets.BatchNotebook("0a1b2c3d4e5f"), assets.StreamNotebook("0a1b2c3d4e5f")
	wantTable := Table{
		Columns: []string{"asset", "destination", "size_bytes", "done"},
		Rows: [][]string{
			{"dag", "s3://airflow-pinterest-prod/dags/0a1b2c3d4e5f_dag.py", size(dagFile), "false"},
			{"batch_notebook", "/Workspace/pipelines/0a1b2c3d4e5f_batch", size(batch), "false"},
			{"stream_notebook", "/Workspace/pipelines/0a1b2c3d4e5f_stream", size(stream), "false"},
		},
	}
	if got := output(t, res, FormatTable); got != wantTable.String()+"dry run: nothing was written\n" {
		t.Errorf("dry run table:\n%s\nwant:\n%s", got, wantTable.String())
	}
	wantJSON := `{"dry_run":true,"assets":[` +
		`{"asset":"dag","destination":"s3://airflow-pinterest-prod/dags/0a1b2c3d4e5f_dag.py","size_bytes":` + size(dagFile) + `,"done":false},` +
		`{"asset":"batch_notebook","destination":"/Workspace/pipelines/0a1b2c3d4e5f_batch","size_bytes":` + size(batch) + `,"done":false},` +
		`{"asset":"stream_notebook","destination":"/Workspace/pipelines/0a1b2c3d4e5f_stream","size_bytes":` + size(stream) + `,"done":false}]}` + "\n"
	if got := output(t, res, FormatJSON); got != wantJSON {
		t.Errorf("dry run JSON:\n%s\nwant:\n%s", got, wantJSON)
	}
	if n := calls.Load(); n != 1 {
		t.Errorf("%d GetEnvironment calls, want 1", n)
	}
}

func TestDeployToMWAAAndTheWorkspace(t *testing.T) {
	local := openStack(t) // its S3 stands in for the MWAA DAG bucket
	b := local.Backends
	ctx := context.Background()
	if err := b.S3.EnsureBucket(ctx, "airflow-pinterest-prod"); err != nil {
		t.Fatal(err)
	}
	cfg := loadProfile(t, prodProfile+"    dag:\n      retries: 3\n", "prod", map[string]string{"data_dir": local.Config.DataDir})
	clients, _ := fakeMWAA(t, "pinterest-prod", "arn:aws:s3:::airflow-pinterest-prod", "path/to/dags/")
	ws := &fakeWorkspace{}
	clients.workspace = func(context.Context) (notebookWorkspace, error) { return ws, nil }
	reg := deployRegistry(&Env{Config: cfg, Backends: &backend.Backends{S3: b.S3}}, clients)

	_, err := reg.Run(ctx, "deploy")
	var confirm *ConfirmError
	if !errors.As(err, &confirm) || confirm.Question != "upload 0a1b2c3d4e5f_dag.py to the DAG folder of MWAA environment pinterest-prod and import the batch and stream notebooks into /Workspace/pipelines in the Databricks workspace, replacing what is there" {
		t.Fatalf("deploy without --yes: %v, want it to ask first", err)
	}
	res, err := reg.Run(ctx, "deploy --yes")
	if err != nil {
		t.Fatal(err)
	}
	settings := dag.DefaultSettings()
	settings.Retries = 3
	wantDAG := assets.DAGFile("0a1b2c3d4e5f", settings, "/Workspace/pipelines", "0101-120000-abcd1234")
	got, err := b.S3.Store("airflow-pinterest-prod", "").Get(ctx, "path/to/dags/0a1b2c3d4e5f_dag.py")
	if err != nil || !bytes.Equal(got, wantDAG) {
		t.Errorf("the DAG folder holds %d bytes (%v), want the rendered DAG file with the profile's settings", len(got), err)
	}
	wantNotebooks := assets.Notebooks("0a1b2c3d4e5f", "/Workspace/pipelines")
	if !reflect.DeepEqual(ws.imported, wantNotebooks) {
		t.Errorf("imported %d notebooks, want the batch and stream notebooks at their workspace paths", len(ws.imported))
	}
	d := res.Data.(Deploy)
	if d.DryRun || len(d.Assets) != 3 || !d.Assets[0].Done || !d.Assets[1].Done || !d.Assets[2].Done ||
		d.Assets[0].Destination != "s3://airflow-pinterest-prod/path/to/dags/0a1b2c3d4e5f_dag.py" {
		t.Errorf("deploy = %+v, want all three done, the DAG at its S3 key", d)
	}

	ws.err = errors.New("RESOURCE_DOES_NOT_EXIST: the folder is gone")
	_, err = reg.Run(ctx, "deploy --yes")
	want := "deploy: import notebook /Workspace/pipelines/0a1b2c3d4e5f_batch: RESOURCE_DOES_NOT_EXIST: the folder is gone (deployed before it: s3://airflow-pinterest-prod/path/to/dags/0a1b2c3d4e5f_dag.py); run deploy again once that is fixed"
	if err == nil || err.Error() != want {
		t.Errorf("deploy with a failing workspace: %v\nwant: %s", err, want)
	}
}

func TestDeployLocally(t *testing.T) {
	env := openStack(t)
	ws := &fakeWorkspace{}
	reg := deployRegistry(env, deployClients{workspace: func(context.Context) (notebookWorkspace, error) { return ws, nil }})
	res, err := reg.Run(context.Background(), "deploy")
	if err != nil {
		t.Fatalf("deploy in the local profile: %v (it asks nothing)", err)
	}
	file := filepath.Join(env.Config.DataDir, "airflow", "dags", "0a1b2c3d4e5f_dag.py")
	got, err := os.ReadFile(file)
	if want := assets.DAGFile("0a1b2c3d4e5f", dag.DefaultSettings(), dag.DefaultNotebookDir, ""); err != nil || !bytes.Equal(got, want) {
		t.Errorf("%s holds %d bytes (%v), want the rendered DAG file", file, len(got), err)
	}
	if !reflect.DeepEqual(ws.imported, assets.Notebooks("0a1b2c3d4e5f", dag.DefaultNotebookDir)) {
		t.Errorf("imported %d notebooks into the local workspace, want both at %s", len(ws.imported), dag.DefaultNotebookDir)
	}
	if d := res.Data.(Deploy); d.Assets[0].Destination != file || !d.Assets[0].Done {
		t.Errorf("deploy = %+v, want the DAG at %s", d, file)
	}
	if entries, _ := os.ReadDir(filepath.Dir(file)); len(entries) != 1 {
		t.Errorf("the dags folder holds %d files, want the DAG file alone (no temporary file left)", len(entries))
	}
}

func TestDeployRefusals(t *testing.T) {
	ctx := context.Background()
	clients, _ := fakeMWAA(t, "pinterest-prod", "arn:aws:s3:::airflow-pinterest-prod", "dags")
	cases := []struct {
		name, file, line, want string
	}{
		{"read-only", strings.Replace(prodProfile, "    aws:", "    read_only: true\n    aws:", 1), "deploy --yes",
			"deploy: profile prod is read-only (read_only: true), so it does not upload 0a1b2c3d4e5f_dag.py to the DAG folder of MWAA environment pinterest-prod and import the batch and stream notebooks into /Workspace/pipelines in the Databricks workspace, replacing what is there: use a profile without read_only for that"},
		{"unknown environment", strings.Replace(prodProfile, "pinterest-prod", "pinterest-dev", 1), "deploy --dry-run",
			"deploy: there is no MWAA environment pinterest-dev in eu-west-1 (Environment not found): check airflow.environment and aws.region"},
		{"no DAG folder", strings.Replace(prodProfile, "environment: pinterest-prod", "url: https://airflow.example.com", 1), "deploy --dry-run",
			"deploy: profile prod has neither airflow.dag_folder nor airflow.environment: set airflow.environment to the MWAA environment, or airflow.dag_folder to s3://bucket/dags"},
		{"bad DAG folder", strings.Replace(prodProfile, "environment: pinterest-prod", "dag_folder: airflow-bucket/dags", 1), "deploy --dry-run",
			`deploy: airflow.dag_folder "airflow-bucket/dags" is not an S3 folder: use s3://bucket/dags`},
		{"no cluster", strings.Replace(prodProfile, "cluster_id: 0101-120000-abcd1234", "warehouse_id: abc", 1), "deploy --dry-run",
			"deploy: profile prod has no databricks.cluster_id: set it to the existing cluster the DAG's notebook runs use"},
		{"Jinja", strings.Replace(prodProfile, "/Workspace/pipelines", "/Workspace/{{ds}}", 1), "deploy --dry-run",
			`deploy: databricks.notebook_dir "/Workspace/{{ds}}" holds a Jinja marker ({{, {% or {#), which Airflow would expand: use a value without one`},
		{"relative notebook dir", strings.Replace(prodProfile, "/Workspace/pipelines", "pipelines", 1), "deploy --dry-run",
			`deploy: databricks.notebook_dir "pipelines" is not an absolute workspace path: use one such as /Shared/pintui`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg := loadProfile(t, c.file, "prod", nil)
			_, err := deployRegistry(&Env{Config: cfg}, clients).Run(ctx, c.line)
			if err == nil || err.Error() != c.want {
				t.Errorf("%s: %v\nwant: %s", c.line, err, c.want)
			}
		})
	}
}

func TestDeployDryRunInAReadOnlyProfile(t *testing.T) {
	cfg := loadProfile(t, strings.Replace(prodProfile, "environment: pinterest-prod", "dag_folder: s3://dags-bucket/team/dags/", 1)+"    read_only: true\n", "prod", nil)
	res, err := deployRegistry(&Env{Config: cfg}, deployClients{}).Run(context.Background(), "deploy --dry-run")
	if err != nil {
		t.Fatalf("a dry run in a read-only profile: %v, want it to run: it writes nothing", err)
	}
	if got := res.Data.(Deploy).Assets[0].Destination; got != "s3://dags-bucket/team/dags/0a1b2c3d4e5f_dag.py" {
		t.Errorf("DAG destination %s, want s3://dags-bucket/team/dags/0a1b2c3d4e5f_dag.py", got)
	}
}

// TestDeployImportsThroughTheProfilesWorkspace deploys with the registry's own clients: the
// notebooks reach the profile's Databricks workspace (a fake that answers as Databricks does)
// through Backends.Databricks, and the DAG file the local S3, standing in for the DAG bucket.
func TestDeployImportsThroughTheProfilesWorkspace(t *testing.T) {
	local := openStack(t)
	ctx := context.Background()
	if err := local.Backends.S3.EnsureBucket(ctx, "airflow-dags"); err != nil {
		t.Fatal(err)
	}
	f := databrickstest.New(t)
	env, reg := cloudEnv(t, f, "cluster_id: 0101-120000-abcd1234")
	env.Config.Airflow.DAGFolder = "s3://airflow-dags/dags"
	env.Backends.S3 = local.Backends.S3
	if _, err := reg.Run(ctx, "deploy --yes"); err != nil {
		t.Fatal(err)
	}
	want := assets.Notebooks("0a1b2c3d4e5f", dag.DefaultNotebookDir)
	got := map[string][]byte{}
	for _, body := range f.Bodies("/api/2.0/workspace/import") {
		var in struct {
			Path, Format, Language, Content string
			Overwrite                       bool
		}
		if err := json.Unmarshal([]byte(body), &in); err != nil {
			t.Fatal(err)
		}
		source, err := base64.StdEncoding.DecodeString(in.Content)
		if err != nil || in.Format != "SOURCE" || in.Language != "PYTHON" || !in.Overwrite {
			t.Errorf("import %s as %s %s overwrite=%v (%v), want SOURCE PYTHON overwriting", in.Path, in.Format, in.Language, in.Overwrite, err)
		}
		got[in.Path] = source
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("the workspace got %d notebooks, want the batch and stream notebooks at %s", len(got), dag.DefaultNotebookDir)
	}
	if _, err := local.Backends.S3.Store("airflow-dags", "dags/").Get(ctx, "0a1b2c3d4e5f_dag.py"); err != nil {
		t.Errorf("the DAG file is not in the DAG folder: %v", err)
	}
}
