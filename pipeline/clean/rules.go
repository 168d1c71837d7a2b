package clean

import (
	"errors"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/pintui/pintui/pipeline/record"
)

// The whole-value placeholders of the original data, each nulled in its own column only.
const (
	placeholderDescription = "No description available Story format"
	placeholderFollowers   = "User Info Error"
	placeholderImageSrc    = "Image src error."
	placeholderPosterName  = "User Info Error"
	placeholderTagList     = "N,o, ,T,a,g,s, ,A,v,a,i,l,a,b,l,e"
	placeholderTitle       = "No Title Data Available"
	saveLocationPrefix     = "Local save in "
)

// pinValues returns where the next cleaned pin's values live.
func (c *Cleaner) pinValues() *pinValues {
	if len(c.pins) == 0 {
		c.pins = make([]pinValues, slabSize)
	}
	v := &c.pins[0]
	if !c.transient {
		c.pins = c.pins[1:]
	}
	*v = pinValues{}
	return v
}

// geoValues returns where the next cleaned geo's values live.
func (c *Cleaner) geoValues() *geoValues {
	if len(c.geos) == 0 {
		c.geos = make([]geoValues, slabSize)
	}
	v := &c.geos[0]
	if !c.transient {
		c.geos = c.geos[1:]
	}
	*v = geoValues{}
	return v
}

// userValues returns where the next cleaned user's values live.
func (c *Cleaner) userValues() *userValues {
	if len(c.users) == 0 {
		c.users = make([]userValues, slabSize)
	}
	v := &c.users[0]
	if !c.transient {
		c.users = c.users[1:]
	}
	*v = userValues{}
	return v
}

// slabSize is how many cleaned rows share one allocation of their pointed-to values.
const slabSize = 256

// Cleaner applies the cleaning rules to decoded rows of one table and tallies what each rule changed. The
// values a cleaned row points to are allocated in slabs, so a row costs no allocation of its
// own. A Cleaner is not safe for concurrent use; give each worker its own and merge the reports.
type Cleaner struct {
	table       record.Table
	tally       tally
	rowsIn      int64
	rowsOut     int64
	quarantined []Quarantined

	pins  []pinValues
	geos  []geoValues
	users []userValues
	// transient is set when every cleaned row is used up before the next is cleaned (Run
	// encodes each at once): rows then share one set of values instead of a slab each.
	transient bool
	// seen marks the column slots already met in the current row, to spot repeated keys.
	seen [maxSlots]bool
	vals [maxSlots]Field
}

type pinValues struct {
	s         [9]string
	followers int32
}

type geoValues struct {
	country     string
	coordinates [2]float64
	timestamp   time.Time
}

type userValues struct {
	name       string
	age        int64
	dateJoined time.Time
}

// NewCleaner returns a Cleaner for rows of table.
func NewCleaner(table record.Table) *Cleaner {
	return &Cleaner{table: table}
}

// Table is the table whose rows the Cleaner cleans.
func (c *Cleaner) Table() record.Table { return c.table }

// Quarantine records a line no row could be read from; its raw text is cut to 160 bytes.
func (c *Cleaner) Quarantine(source string, line int, reason string, raw []byte) {
	c.rowsIn++
	c.quarantined = append(c.quarantined, quarantine(source, line, reason, raw))
}

// Report returns what the Cleaner has done so far.
func (c *Cleaner) Report() Report {
	r := Report{Table: c.table, RowsIn: c.rowsIn, RowsOut: c.rowsOut, Rules: map[string]int64{}}
	c.tally.addTo(c.table, r.Rules)
	r.Quarantined = append([]Quarantined(nil), c.quarantined...)
	return r
}

// takeQuarantined hands over the quarantine list so far and starts a new one, so that a
// worker can pass each chunk's entries on in input order.
func (c *Cleaner) takeQuarantined() []Quarantined {
	q := c.quarantined
	c.quarantined = nil
	return q
}

// errQuarantined is returned for a row whose id cannot be read; the reason is in the report.
var errQuarantined = errors.New("row quarantined")

func (c *Cleaner) reject(r Row, reason string) error {
	c.quarantined = append(c.quarantined, quarantine(r.Source, r.Line, reason, []byte(r.String())))
	return errors.Join(errQuarantined, errors.New(reason))
}

// gather files each field of r under its column slot (the last of a repeated key wins) and
// counts extra and repeated keys.
func (c *Cleaner) gather(r Row, slots int, slot func(string) int) {
	c.rowsIn++
	clear(c.seen[:slots])
	for _, f := range r.Fields {
		s := slot(f.Key)
		if s < 0 {
			c.tally[slots-1][actExtraKey]++
			continue
		}
		if c.seen[s] {
			c.tally[slots-1][actDuplicateKey]++
		}
		c.seen[s] = true
		c.vals[s] = f
	}
}

// Pin cleans one pin row. A row without a readable index is quarantined and the error says why.
func (c *Cleaner) Pin(r Row) (record.CleanPin, error) {
	c.gather(r, pinSlots, pinSlot)
	var p record.CleanPin
	// ind stands in for index only beside pin columns: alone it is a geo or user record, which
	// would otherwise come out as a row of nulls.
	if !c.seen[pinIndex] && c.seen[pinRow] && !c.anySeen(pinUniqueID, pinRow) {
		return p, c.reject(r, "missing index: the row has ind but no pin column, as a geo or user record does")
	}
	ind, ok := c.pinID()
	if !ok {
		return p, c.reject(r, c.idReason(pinIndex, "index"))
	}
	p.Ind = ind
	v := c.pinValues()
	p.UniqueID = c.text(&v.s[0], pinUniqueID, "")
	p.Title = c.text(&v.s[1], pinTitle, placeholderTitle)
	p.Description = c.text(&v.s[2], pinDescription, placeholderDescription)
	p.PosterName = c.text(&v.s[3], pinPosterName, placeholderPosterName)
	p.TagList = c.text(&v.s[4], pinTagList, placeholderTagList)
	p.IsImageOrVideo = c.text(&v.s[5], pinIsImageOrVideo, "")
	p.ImageSrc = c.text(&v.s[6], pinImageSrc, placeholderImageSrc)
	p.Category = c.text(&v.s[7], pinCategory, "")
	if p.SaveLocation = c.text(&v.s[8], pinSaveLocation, ""); p.SaveLocation != nil {
		if rest, cut := strings.CutPrefix(v.s[8], saveLocationPrefix); cut {
			v.s[8] = rest
			c.tally[pinSaveLocation][actPrefix]++
		}
	}
	var followers string
	if c.text(&followers, pinFollowerCount, placeholderFollowers) != nil {
		if n, ok := c.followerCount(followers); ok {
			v.followers = n
			p.FollowerCount = &v.followers
		}
	}
	c.rowsOut++
	return p, nil
}

// pinSlot maps a pin key to its slot; `ind` shares a slot position after the row slot.
func pinSlot(key string) int {
	switch key {
	case "index":
		return pinIndex
	case "unique_id":
		return pinUniqueID
	case "title":
		return pinTitle
	case "description":
		return pinDescription
	case "poster_name":
		return pinPosterName
	case "follower_count":
		return pinFollowerCount
	case "tag_list":
		return pinTagList
	case "is_image_or_video":
		return pinIsImageOrVideo
	case "image_src":
		return pinImageSrc
	case "downloaded":
		return pinDownloaded
	case "save_location":
		return pinSaveLocation
	case "category":
		return pinCategory
	case "ind":
		return pinRow
	}
	return -1
}

// anySeen reports whether the row carried any of the column slots from up to, but not including, to.
func (c *Cleaner) anySeen(from, to int) bool {
	return slices.Contains(c.seen[from:to], true)
}

// pinID reads the pin's id from `index`, or from `ind` when a producer renamed it already.
func (c *Cleaner) pinID() (int64, bool) {
	switch {
	case !c.seen[pinIndex] && c.seen[pinRow]:
		c.seen[pinIndex], c.vals[pinIndex] = true, c.vals[pinRow]
		c.tally[pinIndex][actFromInd]++
	case c.seen[pinRow]:
		c.tally[pinRow][actExtraKey]++
	}
	c.seen[pinRow] = false
	return c.integer(pinIndex)
}

// idReason explains why the id in slot could not be read.
func (c *Cleaner) idReason(slot int, key string) string {
	f := c.vals[slot]
	switch {
	case !c.seen[slot]:
		return "missing " + key
	case f.Kind == KindNull:
		return key + " is null"
	}
	text := f.Value
	if f.Kind == KindString {
		text = strconv.Quote(f.Value)
	}
	return "invalid " + key + " " + text + ": want an integer"
}

// followerCount reads a follower count: `k` ×1,000, `M` ×1,000,000, plain digits as they are,
// anything else (or anything beyond 32 bits) null.
func (c *Cleaner) followerCount(s string) (int32, bool) {
	digits, scale, act := s, int64(1), numActions
	if strings.HasSuffix(s, "k") {
		digits, scale, act = s[:len(s)-1], 1_000, actK
	} else if strings.HasSuffix(s, "M") {
		digits, scale, act = s[:len(s)-1], 1_000_000, actM
	}
	var n int64
	for i := 0; i < len(digits); i++ {
		d := digits[i]
		if d < '0' || d > '9' || n > math.MaxInt32 {
			n = -1
			break
		}
		n = n*10 + int64(d-'0')
	}
	if digits == "" || n < 0 || n*scale > math.MaxInt32 {
		c.tally[pinFollowerCount][actInvalid]++
		return 0, false
	}
	if act != numActions {
		c.tally[pinFollowerCount][act]++
	}
	return int32(n * scale), true
}

// Geo cleans one geolocation row. A row without a readable ind is quarantined.
func (c *Cleaner) Geo(r Row) (record.CleanGeo, error) {
	c.gather(r, geoSlots, geoSlot)
	var g record.CleanGeo
	ind, ok := c.integer(geoInd)
	if !ok {
		return g, c.reject(r, c.idReason(geoInd, "ind"))
	}
	g.Ind = ind
	v := c.geoValues()
	g.Country = c.text(&v.country, geoCountry, "")
	lat, latOK := c.float(geoLatitude)
	lon, lonOK := c.float(geoLongitude)
	if latOK && lonOK {
		v.coordinates = [2]float64{lat, lon}
		g.Coordinates = v.coordinates[:]
	} else if latOK || lonOK {
		c.tally[geoCoordinates][actIncomplete]++
	}
	if t, ok := c.datetime(geoTimestamp); ok {
		v.timestamp = t
		g.Timestamp = &v.timestamp
	}
	c.rowsOut++
	return g, nil
}

func geoSlot(key string) int {
	switch key {
	case "ind":
		return geoInd
	case "timestamp":
		return geoTimestamp
	case "latitude":
		return geoLatitude
	case "longitude":
		return geoLongitude
	case "country":
		return geoCountry
	}
	return -1
}

// User cleans one user row. A row without a readable ind is quarantined.
func (c *Cleaner) User(r Row) (record.CleanUser, error) {
	c.gather(r, userSlots, userSlot)
	var u record.CleanUser
	ind, ok := c.integer(userInd)
	if !ok {
		return u, c.reject(r, c.idReason(userInd, "ind"))
	}
	u.Ind = ind
	v := c.userValues()
	var first, last string
	firstOK := c.text(&first, userFirstName, "") != nil
	lastOK := c.text(&last, userLastName, "") != nil
	if firstOK && lastOK {
		v.name = first + " " + last
		u.UserName = &v.name
	} else if firstOK || lastOK {
		c.tally[userUserName][actIncomplete]++
	}
	if age, ok := c.integer(userAge); ok {
		v.age = age
		u.Age = &v.age
	}
	if t, ok := c.datetime(userDateJoined); ok {
		v.dateJoined = t
		u.DateJoined = &v.dateJoined
	}
	c.rowsOut++
	return u, nil
}

func userSlot(key string) int {
	switch key {
	case "ind":
		return userInd
	case "first_name":
		return userFirstName
	case "last_name":
		return userLastName
	case "age":
		return userAge
	case "date_joined":
		return userDateJoined
	}
	return -1
}

// text reads a string column into *dst and returns dst, or nil for a null. A whole-value
// placeholder (when given) becomes null; numbers and bools keep their JSON text.
func (c *Cleaner) text(dst *string, slot int, placeholder string) *string {
	if !c.seen[slot] {
		c.tally[slot][actMissing]++
		return nil
	}
	f := c.vals[slot]
	switch f.Kind {
	case KindString:
		if placeholder != "" && f.Value == placeholder {
			c.tally[slot][actPlaceholder]++
			return nil
		}
	case KindNumber:
		c.tally[slot][actFromNumber]++
	case KindBool:
		c.tally[slot][actFromBool]++
	case KindNull:
		return nil
	default:
		c.tally[slot][actInvalid]++
		return nil
	}
	*dst = f.Value
	return dst
}

// integer reads a whole-number column. Strings holding a number and numbers written with a zero
// fraction or an exponent are accepted when the value is an exact integer.
func (c *Cleaner) integer(slot int) (int64, bool) {
	if !c.seen[slot] {
		c.tally[slot][actMissing]++
		return 0, false
	}
	f := c.vals[slot]
	switch f.Kind {
	case KindNull:
		return 0, false
	case KindNumber, KindString:
		if f.Kind == KindString && !isNumber(f.Value) {
			break
		}
		if n, err := strconv.ParseInt(f.Value, 10, 64); err == nil {
			if f.Kind == KindString {
				c.tally[slot][actFromString]++
			}
			return n, true
		}
		x, err := strconv.ParseFloat(f.Value, 64)
		if err == nil && x == math.Trunc(x) && math.Abs(x) <= 1<<53 {
			if f.Kind == KindString {
				c.tally[slot][actFromString]++
			}
			c.tally[slot][actFromFloat]++
			return int64(x), true
		}
	}
	c.tally[slot][actInvalid]++
	return 0, false
}

// isNumber reports whether a string holds exactly a JSON number, so that `0x1p4` or `Inf`
// in a string column are not taken for numbers.
func isNumber(s string) bool {
	if s == "" {
		return false
	}
	end, err := numberEnd([]byte(s), 0)
	return err == nil && end == len(s)
}

// float reads a double column; a string holding a finite number is accepted.
func (c *Cleaner) float(slot int) (float64, bool) {
	if !c.seen[slot] {
		c.tally[slot][actMissing]++
		return 0, false
	}
	f := c.vals[slot]
	switch f.Kind {
	case KindNull:
		return 0, false
	case KindNumber, KindString:
		if f.Kind == KindString && !isNumber(f.Value) {
			break
		}
		x, err := strconv.ParseFloat(f.Value, 64)
		if err == nil && !math.IsInf(x, 0) && !math.IsNaN(x) {
			if f.Kind == KindString {
				c.tally[slot][actFromString]++
			}
			return x, true
		}
	}
	c.tally[slot][actInvalid]++
	return 0, false
}

// datetime reads a datetime column as UTC (see parseDateTime for the forms accepted).
func (c *Cleaner) datetime(slot int) (time.Time, bool) {
	if !c.seen[slot] {
		c.tally[slot][actMissing]++
		return time.Time{}, false
	}
	f := c.vals[slot]
	if f.Kind == KindNull {
		return time.Time{}, false
	}
	if f.Kind != KindString {
		c.tally[slot][actInvalid]++
		return time.Time{}, false
	}
	t, form, ok := parseDateTime(f.Value)
	if !ok {
		c.tally[slot][actInvalid]++
		return time.Time{}, false
	}
	if form.isoT {
		c.tally[slot][actISOT]++
	}
	if form.zone {
		c.tally[slot][actZone]++
	}
	if form.dateOnly {
		c.tally[slot][actDateOnly]++
	}
	return t, true
}
