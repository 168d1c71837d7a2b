package local

import (
	"testing"
	"time"
)

func TestTimetableFindsTheTicksAroundATime(t *testing.T) {
	for _, c := range []struct {
		schedule, now, prev, alignPrev, alignNext string
	}{
		{"*/15 * * * *", "2026-01-10T10:07:30Z", "2026-01-10T10:00:00Z", "2026-01-10T10:00:00Z", "2026-01-10T10:15:00Z"},
		{"*/15 * * * *", "2026-01-10T10:00:00Z", "2026-01-10T09:45:00Z", "2026-01-10T10:00:00Z", "2026-01-10T10:00:00Z"},
		{"@daily", "2026-01-10T00:00:00.5Z", "2026-01-10T00:00:00Z", "2026-01-10T00:00:00Z", "2026-01-11T00:00:00Z"},
		{"@weekly", "2026-01-10T10:00:00Z", "2026-01-04T00:00:00Z", "2026-01-04T00:00:00Z", "2026-01-11T00:00:00Z"},
		{"0 0 29 2 *", "2026-01-10T10:00:00Z", "2024-02-29T00:00:00Z", "2024-02-29T00:00:00Z", "2028-02-29T00:00:00Z"},
	} {
		tt, err := newTimetable(c.schedule)
		if err != nil {
			t.Fatal(err)
		}
		now := at(t, c.now)
		for name, got := range map[string][2]time.Time{
			"prev": {tt.prev(now), at(t, c.prev)}, "alignPrev": {tt.alignPrev(now), at(t, c.alignPrev)}, "alignNext": {tt.alignNext(now), at(t, c.alignNext)},
		} {
			if !got[0].Equal(got[1]) {
				t.Errorf("%s of %s at %s is %s, want %s", name, c.schedule, c.now, got[0], got[1])
			}
		}
	}
}

func TestTimetableSchedulesIntervalsAsAirflowsCronTimetable(t *testing.T) {
	tt, err := newTimetable("@daily")
	if err != nil {
		t.Fatal(err)
	}
	start := at(t, "2026-01-10T10:00:00Z")
	for _, c := range []struct {
		name           string
		lastEnd, now   string
		catchup        bool
		wantStart, end string
	}{
		{"fresh", "", "2026-01-10T10:00:00Z", false, "2026-01-11T00:00:00Z", "2026-01-12T00:00:00Z"},
		{"fresh with catchup", "", "2026-01-10T10:00:00Z", true, "2026-01-11T00:00:00Z", "2026-01-12T00:00:00Z"},
		{"after a run", "2026-01-12T00:00:00Z", "2026-01-12T00:00:01Z", false, "2026-01-12T00:00:00Z", "2026-01-13T00:00:00Z"},
		{"after a gap", "2026-01-12T00:00:00Z", "2026-01-15T12:00:00Z", false, "2026-01-14T00:00:00Z", "2026-01-15T00:00:00Z"},
		{"after a gap, on a tick", "2026-01-12T00:00:00Z", "2026-01-15T00:00:00Z", false, "2026-01-14T00:00:00Z", "2026-01-15T00:00:00Z"},
		{"after a gap with catchup", "2026-01-12T00:00:00Z", "2026-01-15T12:00:00Z", true, "2026-01-12T00:00:00Z", "2026-01-13T00:00:00Z"},
	} {
		var lastEnd time.Time
		if c.lastEnd != "" {
			lastEnd = at(t, c.lastEnd)
		}
		iv := tt.nextScheduled(lastEnd, start, at(t, c.now), c.catchup)
		if !iv.start.Equal(at(t, c.wantStart)) || !iv.end.Equal(at(t, c.end)) {
			t.Errorf("%s: next interval [%s, %s), want [%s, %s)", c.name, iv.start, iv.end, c.wantStart, c.end)
		}
	}
	if iv := tt.manual(at(t, "2026-01-10T10:00:00Z")); !iv.start.Equal(at(t, "2026-01-09T00:00:00Z")) || !iv.end.Equal(at(t, "2026-01-10T00:00:00Z")) {
		t.Errorf("a manual run at 10:00 covers [%s, %s), want the day before", iv.start, iv.end)
	}
}

func TestTimetableTakesOnlyWhatAirflowsCronTimetableTakes(t *testing.T) {
	for schedule, want := range map[string]string{
		"@every 1h":                   `dag.schedule "@every 1h" is not valid: Airflow's cron schedules have no @every: use a cron expression of 5 fields (minute hour day month weekday) or @hourly, @daily, @weekly, @monthly, @quarterly, @yearly`,
		"TZ=UTC 0 0 * * *":            `dag.schedule "TZ=UTC 0 0 * * *" is not valid: the DAG runs in UTC and takes no time zone: use a cron expression of 5 fields (minute hour day month weekday) or @hourly, @daily, @weekly, @monthly, @quarterly, @yearly`,
		"CRON_TZ=Europe/Paris @daily": `dag.schedule "CRON_TZ=Europe/Paris @daily" is not valid: the DAG runs in UTC and takes no time zone: use a cron expression of 5 fields (minute hour day month weekday) or @hourly, @daily, @weekly, @monthly, @quarterly, @yearly`,
	} {
		if _, err := newTimetable(schedule); err == nil || err.Error() != want {
			t.Errorf("%s: error %v, want %s", schedule, err, want)
		}
	}
	tt, err := newTimetable("@quarterly")
	if err != nil {
		t.Fatalf("@quarterly: %v", err)
	}
	if got := tt.next(at(t, "2026-02-10T10:00:00Z")); !got.Equal(at(t, "2026-04-01T00:00:00Z")) {
		t.Errorf("@quarterly after 2026-02-10 is %s, want 2026-04-01", got)
	}
}
