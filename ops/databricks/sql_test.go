package databricks

import (
	"context"
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/pintui/pintui/ops/databricks/databrickstest"
)

func TestQueryPollsUntilSucceededAndConvertsByType(t *testing.T) {
	f := databrickstest.New(t)
	c := testClient(t, f)
	const stmt = "SELECT * FROM `0a1b2c3d4e5f_pin_batch` LIMIT 2 OFFSET 0"
	f.SetStatement(stmt, databrickstest.Result{
		Columns: []databrickstest.Column{{Name: "ind", TypeName: "LONG"}, {Name: "title", TypeName: "STRING"}, {Name: "follower_count", TypeName: "INT"}, {Name: "score", TypeName: "DOUBLE"}, {Name: "timestamp", TypeName: "TIMESTAMP"}, {Name: "ok", TypeName: "BOOLEAN"}, {Name: "price", TypeName: "DECIMAL"}},
		Chunks: [][][]any{
			{{"7528", "Ideas", "5000", "0.5", "2020-06-18T15:32:04.000Z", "true", "12.30"}},
			{{"2863", nil, nil, "not a number", nil, nil, nil}},
		},
	})
	rs, err := c.Query(context.Background(), Statement{Warehouse: "wh1", Catalog: "hive_metastore", Schema: "default", SQL: stmt})
	if err != nil {
		t.Fatal(err)
	}
	want := ResultSet{
		Columns: []Column{{Name: "ind", Type: "LONG"}, {Name: "title", Type: "STRING"}, {Name: "follower_count", Type: "INT"}, {Name: "score", Type: "DOUBLE"}, {Name: "timestamp", Type: "TIMESTAMP"}, {Name: "ok", Type: "BOOLEAN"}, {Name: "price", Type: "DECIMAL"}},
		Rows: [][]any{
			{int64(7528), "Ideas", int32(5000), 0.5, time.Date(2020, 6, 18, 15, 32, 4, 0, time.UTC), true, "12.30"},
			{int64(2863), nil, nil, "not a number", nil, nil, nil},
		},
	}
	if !reflect.DeepEqual(rs, want) {
		t.Fatalf("result\n%#v\nwant\n%#v", rs, want)
	}
	var sent map[string]any
	if err := json.Unmarshal([]byte(f.Bodies("/api/2.0/sql/statements")[0]), &sent); err != nil {
		t.Fatal(err)
	}
	wantSent := map[string]any{"warehouse_id": "wh1", "statement": stmt, "catalog": "hive_metastore", "schema": "default",
		"wait_timeout": "10s", "on_wait_timeout": "CONTINUE", "disposition": "INLINE", "format": "JSON_ARRAY"}
	if !reflect.DeepEqual(sent, wantSent) {
		t.Fatalf("sent %v\nwant %v", sent, wantSent)
	}
	if f.Polls("01ef-1") != 2 {
		t.Fatalf("polled %d times, want 2 (RUNNING, SUCCEEDED)", f.Polls("01ef-1"))
	}
}

func TestQueryFailedSaysWhy(t *testing.T) {
	f := databrickstest.New(t)
	c := testClient(t, f)
	_, err := c.Query(context.Background(), Statement{Warehouse: "wh1", SQL: "DESCRIBE TABLE `nope`"})
	want := "run \"DESCRIBE TABLE `nope`\" on SQL warehouse wh1: the statement failed (BAD_REQUEST: [TABLE_OR_VIEW_NOT_FOUND] The table or view cannot be found.): check the table and schema names (databricks.catalog, databricks.schema)"
	if err == nil || err.Error() != want {
		t.Fatalf("err\n%v\nwant\n%s", err, want)
	}
}

func TestWarehouseState(t *testing.T) {
	f := databrickstest.New(t)
	c := testClient(t, f)
	f.SetWarehouse("wh1", "Starter Warehouse", "STOPPED")
	w, err := c.Warehouse(context.Background(), "wh1")
	if err != nil || w != (Warehouse{ID: "wh1", Name: "Starter Warehouse", State: "STOPPED"}) || !w.Stopped() {
		t.Fatalf("warehouse %+v %v", w, err)
	}
	_, err = c.Warehouse(context.Background(), "wh2")
	if want := "get SQL warehouse wh2: Unable to find warehouse. (RESOURCE_DOES_NOT_EXIST): set databricks.warehouse_id to a warehouse of the workspace"; err == nil || err.Error() != want {
		t.Fatalf("err\n%v\nwant\n%s", err, want)
	}
}
