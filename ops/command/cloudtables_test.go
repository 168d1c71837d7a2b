package command

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"testing"

	"github.com/pintui/pintui/ops/databricks/databrickstest"
)

const pinBatch = "`hive_metastore`.`default`.`0a1b2c3d4e5f_pin_batch`"

// cloudTables is a fake workspace whose warehouse serves the pin batch table and two analytics.
func cloudTables(t *testing.T, state string) (*databrickstest.Server, *Registry) {
	t.Helper()
	f := databrickstest.New(t)
	f.SetWarehouse("wh1", "Starter Warehouse", state)
	f.SetStatement("SHOW TABLES IN `hive_metastore`.`default`", databrickstest.Result{
		Columns: []databrickstest.Column{{Name: "database", TypeName: "STRING"}, {Name: "tableName", TypeName: "STRING"}, {Name: "isTemporary", TypeName: "BOOLEAN"}},
		Chunks:  [][][]any{{{"default", "top_country", "false"}, {"default", "category_by_country", "false"}, {"default", "0a1b2c3d4e5f_pin_batch", "false"}}},
	})
	f.SetStatement("DESCRIBE TABLE "+pinBatch, databrickstest.Result{
		Columns: []databrickstest.Column{{Name: "col_name", TypeName: "STRING"}, {Name: "data_type", TypeName: "STRING"}, {Name: "comment", TypeName: "STRING"}},
		Chunks:  [][][]any{{{"ind", "bigint", nil}, {"title", "string", nil}, {"downloaded", "int", nil}, {"", "", ""}, {"# Partition Information", "", ""}}},
	})
	f.SetStatement("DESCRIBE HISTORY "+pinBatch+" LIMIT 1", databrickstest.Result{
		Columns: []databrickstest.Column{{Name: "version", TypeName: "LONG"}, {Name: "timestamp", TypeName: "TIMESTAMP"}},
		Chunks:  [][][]any{{{"3", "2025-12-02T00:00:00.000Z"}}},
	})
	cols := []databrickstest.Column{{Name: "ind", TypeName: "LONG", TypeText: "BIGINT"}, {Name: "title", TypeName: "STRING"}, {Name: "downloaded", TypeName: "INT"}}
	f.SetStatement("SELECT * FROM "+pinBatch+" LIMIT 2 OFFSET 1", databrickstest.Result{Columns: cols,
		Chunks: [][][]any{{{"2863", "Ideas", "1"}, {"5730", nil, nil}}}})
	f.SetStatement("SELECT * FROM "+pinBatch+" WHERE CAST(`title` AS STRING) = :value LIMIT 20 OFFSET 0", databrickstest.Result{Columns: cols,
		Chunks: [][][]any{{{"2863", "Ideas", "1"}}}})
	f.SetStatement("SELECT COUNT(*) AS rows FROM "+pinBatch, databrickstest.Result{
		Columns: []databrickstest.Column{{Name: "rows", TypeName: "LONG"}}, Chunks: [][][]any{{{"1500"}}}})
	_, r := cloudEnv(t, f, "warehouse_id: wh1")
	return f, r
}

func TestCloudTablesReadTheSchemaThroughTheWarehouse(t *testing.T) {
	f, r := cloudTables(t, "RUNNING")
	res := run(t, r, "tables")
	want := []TableInfo{{Table: "0a1b2c3d4e5f_pin_batch", Kind: "batch"}, {Table: "category_by_country", Kind: "analytics"}, {Table: "top_country", Kind: "analytics"}}
	if got := res.Data.([]TableInfo); !reflect.DeepEqual(got, want) {
		t.Fatalf("tables %+v\nwant %+v", got, want)
	}
	if res.Message != "3 tables in hive_metastore.default; the warehouse lists names only: schema and preview read one" {
		t.Fatalf("message %q", res.Message)
	}
	s := run(t, r, "schema 0a1b2c3d4e5f_pin_batch").Data.(TableSchema)
	wantSchema := TableSchema{Table: "0a1b2c3d4e5f_pin_batch", Version: 3, Columns: []TableColumn{
		{Column: "ind", Type: "bigint", Nullable: true}, {Column: "title", Type: "string", Nullable: true}, {Column: "downloaded", Type: "int", Nullable: true}}}
	if !reflect.DeepEqual(s, wantSchema) {
		t.Fatalf("schema %+v\nwant %+v", s, wantSchema)
	}
	res = run(t, r, "preview 0a1b2c3d4e5f_pin_batch --limit 2 --offset 1")
	p := res.Data.(TablePage)
	wantPage := TablePage{Table: "0a1b2c3d4e5f_pin_batch", Version: 3, Offset: 1, Limit: 2, TotalRows: 1500,
		Columns: []TableColumn{{Column: "ind", Type: "bigint", Nullable: true}, {Column: "title", Type: "string", Nullable: true}, {Column: "downloaded", Type: "int", Nullable: true}},
		Rows:    [][]any{{int64(2863), "Ideas", int32(1)}, {int64(5730), nil, nil}}}
	if !reflect.DeepEqual(p, wantPage) || res.Message != "rows 2–3 of 1500" {
		t.Fatalf("preview %+v %q\nwant %+v", p, res.Message, wantPage)
	}
	p = run(t, r, "preview 0a1b2c3d4e5f_pin_batch --where title=Ideas").Data.(TablePage)
	if len(p.Rows) != 1 || p.Where != "title=Ideas" {
		t.Fatalf("preview --where %+v", p)
	}
	var sent []map[string]any
	for _, b := range f.Bodies("/api/2.0/sql/statements") {
		var m map[string]any
		if err := json.Unmarshal([]byte(b), &m); err != nil {
			t.Fatal(err)
		}
		if m["parameters"] != nil {
			sent = append(sent, m)
		}
	}
	if len(sent) != 1 || !reflect.DeepEqual(sent[0]["parameters"], []any{map[string]any{"name": "value", "value": "Ideas", "type": "STRING"}}) {
		t.Fatalf("the filter's value is not sent as a parameter: %v", sent)
	}
}

func TestCloudTableNamesAreOnlyNames(t *testing.T) {
	_, r := cloudTables(t, "RUNNING")
	_, err := r.Run(context.Background(), "schema 'x` ; DROP TABLE y; --'")
	want := "schema: run \"DESCRIBE TABLE `hive_metastore`.`default`.`x`` ; DROP TABLE y; --`\" on SQL warehouse wh1: the statement failed (BAD_REQUEST: [TABLE_OR_VIEW_NOT_FOUND] The table or view cannot be found.): check the table and schema names (databricks.catalog, databricks.schema)"
	if err == nil || err.Error() != want {
		t.Fatalf("err\n%v\nwant\n%s", err, want)
	}
}

func TestAStoppedWarehouseIsNotStartedWithoutAsking(t *testing.T) {
	f, r := cloudTables(t, "STOPPED")
	for _, line := range []string{"tables", "schema 0a1b2c3d4e5f_pin_batch", "preview 0a1b2c3d4e5f_pin_batch"} {
		_, err := r.Run(context.Background(), line)
		var ce *ConfirmError
		want := ": this would start SQL warehouse Starter Warehouse (wh1), which is stopped and costs money while it runs, to read the tables: answer yes in the console, or add --yes to run it from a script"
		if !errors.As(err, &ce) || err.Error() != ce.Command+want {
			t.Fatalf("%s: %v", line, err)
		}
	}
	if got := f.Bodies("/api/2.0/sql/statements"); len(got) != 0 {
		t.Fatalf("statements ran on the stopped warehouse: %v", got)
	}
	if res := run(t, r, "tables --yes"); len(res.Data.([]TableInfo)) != 3 {
		t.Fatalf("tables --yes: %+v", res.Data)
	}
}

func TestCloudTablesWithoutAWarehouseSayWhichSettingToGive(t *testing.T) {
	f := databrickstest.New(t)
	_, r := cloudEnv(t, f)
	_, err := r.Run(context.Background(), "tables")
	if want := "tables: profile cloud reads its tables through a SQL warehouse and sets no databricks.warehouse_id: set it to the id of the warehouse that reads hive_metastore.default"; err == nil || err.Error() != want {
		t.Fatalf("err\n%v\nwant\n%s", err, want)
	}
}
