package databricks

import (
	"context"
	"encoding/base64"
	"path"
	"sort"

	"github.com/databricks/databricks-sdk-go/service/workspace"
)

// Import puts a Python notebook's source at path in the workspace, replacing what is there, and
// makes its folder first, since import does not.
func (c *Client) Import(ctx context.Context, notebookPath string, source []byte) error {
	if err := c.workspace.Mkdirs(ctx, workspace.Mkdirs{Path: path.Dir(notebookPath)}); err != nil {
		return c.fail("make workspace folder "+path.Dir(notebookPath), err, "check databricks.notebook_dir")
	}
	err := c.workspace.Import(ctx, workspace.Import{
		Path: notebookPath, Format: workspace.ImportFormatSource, Language: workspace.LanguagePython,
		Content: base64.StdEncoding.EncodeToString(source), Overwrite: true,
	})
	return c.fail("import notebook "+notebookPath, err, "check databricks.notebook_dir")
}

// List returns the paths of the objects in a workspace folder, sorted.
func (c *Client) List(ctx context.Context, dir string) ([]string, error) {
	objs, err := c.workspace.ListAll(ctx, workspace.ListWorkspaceRequest{Path: dir})
	if err != nil {
		return nil, c.fail("list workspace folder "+dir, err, "run pintui deploy to import the notebooks there")
	}
	out := make([]string, 0, len(objs))
	for _, o := range objs {
		out = append(out, o.Path)
	}
	sort.Strings(out)
	return out, nil
}
