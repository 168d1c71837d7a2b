package batch

import (
	"context"
	"errors"
	"fmt"

	"github.com/pintui/pintui/pipeline/analytics"
	"github.com/pintui/pintui/pipeline/clean"
	"github.com/pintui/pintui/pipeline/delta"
	"github.com/pintui/pintui/pipeline/objstore"
	"github.com/pintui/pintui/pipeline/record"
)

// Paths names where `pintui analyze` reads each table's raw records: a file of JSON lines or a
// folder searched recursively for landed `*.json` objects.
type Paths struct {
	Pin, Geo, User string
}

// Analyze de-duplicates and cleans the raw records at paths as the batch job does and answers
// the nine questions, writing nothing. The report merges the three tables' cleaning, with every
// quarantined line named by file and line number.
func Analyze(paths Paths) (analytics.Outputs, clean.Report, error) {
	var kept answers
	pins, err := cleanPath(record.TablePin, paths.Pin, kept.pins.Add)
	if err != nil {
		return nil, clean.Report{}, err
	}
	geos, err := cleanPath(record.TableGeo, paths.Geo, kept.geos.Add)
	if err != nil {
		return nil, clean.Report{}, err
	}
	users, err := cleanPath(record.TableUser, paths.User, kept.users.Add)
	if err != nil {
		return nil, clean.Report{}, err
	}
	var report clean.Report
	for _, r := range []clean.Report{pins, geos, users} {
		report.Merge(r)
	}
	report.Table = ""
	return analytics.Answer(&kept.pins, &kept.geos, &kept.users), report, nil
}

// ReadAnalytics reads the nine analytics outputs back from the lakehouse, in the documented order, as the
// last batch run wrote them.
func ReadAnalytics(ctx context.Context, lakehouse objstore.Store) (analytics.Outputs, error) {
	outputs := make(analytics.Outputs, 0, len(analytics.Names()))
	for _, name := range analytics.Names() {
		o, err := ReadAnalytic(ctx, lakehouse, name)
		if err != nil {
			return nil, err
		}
		outputs = append(outputs, o)
	}
	return outputs, nil
}

// ReadAnalytic reads one analytics output back from the lakehouse; an unknown name gets an
// error listing the valid ones.
func ReadAnalytic(ctx context.Context, lakehouse objstore.Store, name string) (analytics.Output, error) {
	if err := analytics.CheckName(name); err != nil {
		return analytics.Output{}, err
	}
	page, err := delta.Open(lakehouse, name).Rows(ctx, delta.Query{})
	if errors.Is(err, delta.ErrNoTable) {
		return analytics.Output{}, fmt.Errorf("read analytics %s: the table does not exist yet; run the batch job first (pintui batch run)", name)
	}
	if err != nil {
		return analytics.Output{}, fmt.Errorf("read analytics %s: %w", name, err)
	}
	return analytics.Output{Name: name, Fields: page.Fields, Rows: page.Rows}, nil
}
