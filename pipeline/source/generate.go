package source

import (
	_ "embed"
	"encoding/hex"
	"math"
	"math/rand/v2"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/pintui/pintui/pipeline/record"
)

// DefaultRows is the size of the original source tables: the emulator draws ids 0…11000.
const DefaultRows = 11001

// DefaultSeed is the seed of the default source database and draw sequence; it is the original
// emulator's random.seed(100), so the default draws are the documented ones (7528, 2863, …).
const DefaultSeed int64 = 100

// The literal placeholders of the original data; cleaning turns them into nulls.
const (
	NoTitle       = "No Title Data Available"
	NoDescription = "No description available Story format"
	UserInfoError = "User Info Error"
	NoTags        = "N,o, ,T,a,g,s, ,A,v,a,i,l,a,b,l,e"
	ImageSrcError = "Image src error."
)

// The three values of is_image_or_video.
const (
	KindImage      = "image"
	KindVideo      = "video"
	KindMultiVideo = "multi-video(story page format)"
)

// Shares the generator aims at; follower shapes are drawn per poster and the
// placeholders per row, so the row shares land close to these.
const (
	usersPer11001    = 5000
	allErrorUserRate = 0.015
	postersPerUser   = 0.75
	followerErrRate  = 0.025
	followerMRate    = 0.07
	followerDigRate  = 0.14
	videoRate        = 0.05
	multiVideoRate   = 0.07
	multiSrcErrRate  = 0.3
	tagsOnlyRate     = 0.005
	pngRate          = 0.17
	longDescRate     = 0.15
	untitledRate     = 0.003
	ageTwentyRate    = 0.25
)

//go:embed countries.txt
var countriesText string

// countries are the 243 country names of the original data, in alphabetical order.
var countries = strings.Split(strings.TrimSpace(countriesText), "\n")

// Row is one row id's record in each of the three source tables.
type Row struct {
	Pin  record.RawPin
	Geo  record.RawGeo
	User record.RawUser
}

// AppendJSON appends the JSON object of the row's record in table, as the emulators post it and
// the sink lands it.
func (r *Row) AppendJSON(b []byte, table record.Table) []byte {
	switch table {
	case record.TablePin:
		return r.Pin.AppendJSON(b)
	case record.TableGeo:
		return r.Geo.AppendJSON(b)
	}
	return r.User.AppendJSON(b)
}

// user is one person of the source data: every row they own repeats these fields.
type user struct {
	first, last string
	age         int64
	joined      time.Time
	poster      string
	followers   string
	country     string
	lat, lon    float64
	allError    bool
}

// Generator produces the rows of a synthetic source database in id order. The same rows and
// seed always give the same rows, so a seeded database can be rebuilt byte for byte.
type Generator struct {
	users    []user
	owner    []int32
	planted  bool
	rnd      *rand.Rand
	next     int
	category weighted
	country  weighted
}

// Generate returns all rows of a synthetic source database at once.
func Generate(rows int, seed int64) []Row {
	g := NewGenerator(rows, seed)
	out := make([]Row, 0, g.Len())
	for r, ok := g.Next(); ok; r, ok = g.Next() {
		out = append(out, r)
	}
	return out
}

// NewGenerator prepares the users and their rows for a database of rows rows (at least one).
func NewGenerator(rows int, seed int64) *Generator {
	rows = max(rows, 1)
	g := &Generator{
		rnd:      rand.New(rand.NewPCG(uint64(seed), 0x9e3779b97f4a7c15)),
		category: newWeighted(len(categoryWeights), func(i int) float64 { return categoryWeights[i].weight }),
		// Countries early in the alphabet dominate the original data.
		country: newWeighted(len(countries), func(i int) float64 { return math.Pow(float64(i+3), -1.3) }),
	}
	nUsers := min(rows, max(1, int(math.Round(float64(rows)*usersPer11001/DefaultRows))))
	g.users = g.newUsers(nUsers)
	// Every user owns at least one row; the remaining rows go to users at random, and the
	// shuffle scatters a user's rows over the id space as in the original (7528 and 3089).
	g.owner = make([]int32, rows)
	for i := range g.owner {
		if i < nUsers {
			g.owner[i] = int32(i)
		} else {
			g.owner[i] = int32(g.rnd.IntN(nUsers))
		}
	}
	g.rnd.Shuffle(rows, func(i, j int) { g.owner[i], g.owner[j] = g.owner[j], g.owner[i] })
	g.planted = g.plantDocumented()
	return g
}

// Len returns how many rows the generator produces.
func (g *Generator) Len() int { return len(g.owner) }

// Next returns the next row in id order, and false once every row has been produced.
func (g *Generator) Next() (Row, bool) {
	if g.next >= len(g.owner) {
		return Row{}, false
	}
	id := int64(g.next)
	u := &g.users[g.owner[g.next]]
	g.next++
	row := Row{
		Pin: g.pin(id, u),
		Geo: record.RawGeo{Ind: id, Timestamp: g.between(postStart, postEnd),
			Latitude: u.lat, Longitude: u.lon, Country: u.country},
		User: record.RawUser{Ind: id, FirstName: u.first, LastName: u.last, Age: u.age,
			DateJoined: u.joined},
	}
	if d, ok := documented[id]; ok && g.planted {
		d.plant(&row)
	}
	return row, true
}

var (
	joinStart = time.Date(2015, 9, 1, 0, 0, 0, 0, time.UTC)
	joinEnd   = time.Date(2017, 10, 15, 0, 0, 0, 0, time.UTC)
	postStart = time.Date(2017, 9, 1, 0, 0, 0, 0, time.UTC)
	postEnd   = time.Date(2022, 12, 1, 0, 0, 0, 0, time.UTC)
)

// poster is an account that pins; several users can pin as the same account.
type poster struct{ name, followers string }

func (g *Generator) newUsers(n int) []user {
	posters := make([]poster, max(1, int(float64(n)*postersPerUser)))
	for i := range posters {
		posters[i] = poster{name: g.posterName(), followers: g.followerCount()}
	}
	allError := int(math.Round(float64(n) * allErrorUserRate))
	seen := make(map[string]bool, n)
	users := make([]user, n)
	for i := range users {
		u := &users[i]
		for {
			u.first = pick(g.rnd, firstNames)
			u.last = pick(g.rnd, lastNames)
			u.age = g.age()
			u.joined = g.between(joinStart, joinEnd)
			identity := u.first + "\x00" + u.last + "\x00" + strconv.FormatInt(u.age, 10) + u.joined.String()
			if !seen[identity] {
				seen[identity] = true
				break
			}
		}
		p := posters[g.rnd.IntN(len(posters))]
		u.poster, u.followers = p.name, p.followers
		u.country = countries[g.country.pick(g.rnd)]
		u.lat, u.lon = g.coordinates()
	}
	// The all-error users are drawn after the others so their count is exact.
	for _, i := range g.rnd.Perm(n)[:allError] {
		users[i].allError = true
		users[i].poster, users[i].followers = UserInfoError, UserInfoError
	}
	return users
}

func (g *Generator) posterName() string {
	if g.rnd.Float64() < 0.4 {
		return pick(g.rnd, firstNames) + " " + pick(g.rnd, lastNames)
	}
	return fill(pick(g.rnd, brandTemplates), "$w1", pick(g.rnd, brandWords),
		"$w2", pick(g.rnd, brandWords), "$first", pick(g.rnd, firstNames))
}

// followerCount draws one of the four shapes of the text column follower_count.
func (g *Generator) followerCount() string {
	r := g.rnd.Float64()
	switch {
	case r < followerErrRate:
		return UserInfoError
	case r < followerErrRate+followerMRate:
		return strconv.Itoa(1+int(15*g.rnd.Float64()*g.rnd.Float64())) + "M"
	case r < followerErrRate+followerMRate+followerDigRate:
		return strconv.Itoa(g.logUniform(1000) - 1)
	default:
		return strconv.Itoa(g.logUniform(999)) + "k"
	}
}

// logUniform returns an integer in 1…n, small values being as common as large ones per decade.
func (g *Generator) logUniform(n int) int {
	return min(n, int(math.Exp(float64(g.rnd.Float64()*math.Log(float64(n)+1)))))
}

// age is 20 for a quarter of users, otherwise 21–59 with younger ages more common.
func (g *Generator) age() int64 {
	if g.rnd.Float64() < ageTwentyRate {
		return 20
	}
	for {
		a := 21 + g.rnd.IntN(39)
		if g.rnd.IntN(40) < 60-a {
			return int64(a)
		}
	}
}

// coordinates reproduce the original skew: most latitudes far south, most longitudes far west,
// with the six significant digits a MySQL FLOAT column shows.
func (g *Generator) coordinates() (lat, lon float64) {
	switch r := g.rnd.Float64(); {
	case r < 0.54:
		lat = g.uniform(-89.99, -60)
	case r < 0.82:
		lat = g.uniform(-60, 0)
	default:
		lat = g.uniform(0, 81.15)
	}
	if g.rnd.Float64() < 0.66 {
		lon = g.uniform(-179.99, -100)
	} else {
		lon = g.uniform(-100, 164.36)
	}
	return sixDigits(lat), sixDigits(lon)
}

func (g *Generator) uniform(lo, hi float64) float64 {
	return lo + float64(g.rnd.Float64()*(hi-lo))
}

func sixDigits(f float64) float64 {
	v, _ := strconv.ParseFloat(strconv.FormatFloat(f, 'g', 6, 64), 64)
	return v
}

// between returns a whole second in [from, to).
func (g *Generator) between(from, to time.Time) time.Time {
	span := int64(to.Sub(from) / time.Second)
	return from.Add(time.Duration(g.rnd.Int64N(span)) * time.Second)
}

func (g *Generator) pin(id int64, u *user) record.RawPin {
	category := categoryWeights[g.category.pick(g.rnd)].name
	p := record.RawPin{
		Index:        id,
		UniqueID:     g.uuid4(),
		PosterName:   u.poster,
		Downloaded:   1,
		SaveLocation: "Local save in /data/" + category,
		Category:     category,
	}
	if u.allError {
		p.Title, p.Description, p.FollowerCount, p.TagList = NoTitle, NoDescription, UserInfoError, NoTags
		p.IsImageOrVideo, p.ImageSrc, p.Downloaded = KindMultiVideo, ImageSrcError, 0
		return p
	}
	p.FollowerCount = u.followers
	topic := subjects[category]
	p.Title = g.title(topic)
	switch r := g.rnd.Float64(); {
	case r < videoRate:
		p.IsImageOrVideo, p.ImageSrc = KindVideo, g.thumbnail()
		p.Description = g.description(topic)
	case r < videoRate+multiVideoRate:
		p.IsImageOrVideo, p.Description = KindMultiVideo, NoDescription
		if g.rnd.Float64() < multiSrcErrRate {
			p.ImageSrc = ImageSrcError
		} else {
			p.ImageSrc = g.thumbnail()
		}
	default:
		p.IsImageOrVideo, p.ImageSrc = KindImage, g.image()
		p.Description = g.description(topic)
	}
	if g.rnd.Float64() < tagsOnlyRate {
		p.TagList = NoTags
	} else {
		p.TagList = g.tags(topic)
	}
	return p
}

func (g *Generator) title(topic []string) string {
	t := fill(pick(g.rnd, titleTemplates), "$adj", pick(g.rnd, adjectives),
		"$subject", pick(g.rnd, topic), "$n", strconv.Itoa(5+g.rnd.IntN(46)))
	if g.rnd.IntN(4) == 0 {
		return strings.ToUpper(t)
	}
	return titleCase(t)
}

// description is one to five sentences; long ones are cut at 175 characters the way the
// original scraper cut them, with an ellipsis and a no-break space.
func (g *Generator) description(topic []string) string {
	if g.rnd.Float64() < untitledRate {
		return "Untitled"
	}
	n := 1 + g.rnd.IntN(3)
	if g.rnd.Float64() < longDescRate {
		n = 6
	}
	parts := make([]string, n)
	for i := range parts {
		s := fill(pick(g.rnd, sentences), "$subject", pick(g.rnd, topic), "$adj", pick(g.rnd, adjectives))
		parts[i] = strings.ToUpper(s[:1]) + s[1:]
	}
	d := strings.Join(parts, " ")
	if r := []rune(d); len(r) > 175 {
		d = strings.TrimRight(string(r[:175]), " ") + "…\u00a0"
	}
	return d
}

// tags returns exactly nine title-cased tags joined by bare commas.
func (g *Generator) tags(topic []string) string {
	tags := make([]string, 9)
	for i := range tags {
		switch g.rnd.IntN(3) {
		case 0:
			tags[i] = pick(g.rnd, topic)
		case 1:
			tags[i] = pick(g.rnd, adjectives) + " " + pick(g.rnd, topic)
		default:
			words := strings.Fields(pick(g.rnd, topic))
			tags[i] = words[len(words)-1] + " " + pick(g.rnd, adjectives)
		}
		tags[i] = titleCase(tags[i])
	}
	return strings.Join(tags, ",")
}

func (g *Generator) hex32() string {
	var b [16]byte
	for i := 0; i < 16; i += 8 {
		v := g.rnd.Uint64()
		for j := range 8 {
			b[i+j] = byte(v >> (8 * j))
		}
	}
	return hex.EncodeToString(b[:])
}

func (g *Generator) image() string {
	h := g.hex32()
	ext := ".jpg"
	if g.rnd.Float64() < pngRate {
		ext = ".png"
	}
	return "https://i.pinimg.com/originals/" + h[0:2] + "/" + h[2:4] + "/" + h[4:6] + "/" + h + ext
}

func (g *Generator) thumbnail() string {
	h := g.hex32()
	return "https://i.pinimg.com/videos/thumbnails/originals/" + h[0:2] + "/" + h[2:4] + "/" + h[4:6] + "/" + h + ".0000001.jpg"
}

func (g *Generator) uuid4() string {
	var u uuid.UUID
	a, b := g.rnd.Uint64(), g.rnd.Uint64()
	for i := range 8 {
		u[i], u[8+i] = byte(a>>(8*i)), byte(b>>(8*i))
	}
	u[6] = u[6]&0x0f | 0x40
	u[8] = u[8]&0x3f | 0x80
	return u.String()
}

// titleCase upper-cases the first letter of every space-separated word, as Python's str.title
// does for these ASCII phrases ("cadillac ct6" → "Cadillac Ct6").
func titleCase(s string) string {
	b := []byte(s)
	start := true
	for i, c := range b {
		if start && c >= 'a' && c <= 'z' {
			b[i] = c - 'a' + 'A'
		}
		start = c == ' '
	}
	return string(b)
}

// fill replaces the $-placeholders of a template; pairs are placeholder, value.
func fill(template string, pairs ...string) string {
	var b strings.Builder
	b.Grow(len(template) + 32)
	for {
		i := strings.IndexByte(template, '$')
		if i < 0 {
			b.WriteString(template)
			return b.String()
		}
		b.WriteString(template[:i])
		template = template[i:]
		matched := false
		for j := 0; j < len(pairs); j += 2 {
			if strings.HasPrefix(template, pairs[j]) {
				b.WriteString(pairs[j+1])
				template = template[len(pairs[j]):]
				matched = true
				break
			}
		}
		if !matched {
			b.WriteByte('$')
			template = template[1:]
		}
	}
}

func pick[T any](r *rand.Rand, from []T) T { return from[r.IntN(len(from))] }

// weighted picks indexes with fixed relative weights.
type weighted struct{ cumulative []float64 }

func newWeighted(n int, weight func(int) float64) weighted {
	w := weighted{cumulative: make([]float64, n)}
	total := 0.0
	for i := range n {
		total += weight(i)
		w.cumulative[i] = total
	}
	for i := range w.cumulative {
		w.cumulative[i] /= total
	}
	return w
}

func (w weighted) pick(r *rand.Rand) int {
	return min(sort.SearchFloat64s(w.cumulative, r.Float64()), len(w.cumulative)-1)
}
