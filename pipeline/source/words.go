package source

// The vocabulary the generator draws pin text and names from. Phrases are lower case and are
// title-cased where the data has title case (tags, titles).

// categoryWeights are the 13 categories with their frequencies in the published sample, so the
// "most popular category" questions have clear but not unanimous winners.
var categoryWeights = []struct {
	name   string
	weight float64
}{
	{"art", 17}, {"beauty", 11}, {"christmas", 13}, {"diy-and-crafts", 16}, {"education", 8},
	{"event-planning", 5}, {"finance", 8}, {"home-decor", 6}, {"mens-fashion", 12},
	{"quotes", 11}, {"tattoos", 10}, {"travel", 12}, {"vehicles", 8},
}

// subjects are the things pins of each category are about; they feed titles, descriptions and tags.
var subjects = map[string][]string{
	"art": {"watercolor painting", "acrylic pour", "line drawing", "abstract art", "oil painting",
		"sketchbook ideas", "portrait drawing", "art projects", "directed drawing", "pencil art",
		"canvas painting", "color theory", "mixed media", "art journal"},
	"beauty": {"makeup looks", "eyeshadow palette", "skin care routine", "braided hairstyles",
		"nail art", "hair color", "natural makeup", "face masks", "curly hair", "lip gloss",
		"bridal makeup", "short haircuts", "eyebrow shaping"},
	"christmas": {"christmas tree", "ornaments", "holiday decor", "gift wrapping", "advent calendar",
		"christmas cookies", "front porch decorating", "wreath ideas", "stocking stuffers",
		"christmas crafts", "holiday table", "reindeer ornaments", "winter village"},
	"diy-and-crafts": {"mason jar crafts", "paper flowers", "kids crafts", "yarn projects",
		"handprint art", "craft room", "dollar store hacks", "pallet projects", "diy gifts",
		"sewing projects", "cricut ideas", "rock painting", "macrame"},
	"education": {"classroom ideas", "math games", "reading comprehension", "science experiments",
		"teacher organization", "phonics activities", "homeschool planner", "study tips",
		"bulletin boards", "writing prompts", "sight words", "preschool activities"},
	"event-planning": {"wedding planning", "party decorations", "baby shower", "birthday party",
		"neon signs", "table settings", "event venue", "bridal shower", "balloon garland",
		"party favors", "wedding reception"},
	"finance": {"budget planner", "saving money", "coupon organizer", "debt payoff", "side hustle",
		"money tips", "frugal living", "investing basics", "budget binder", "cash envelopes",
		"financial freedom", "meal plan on a budget"},
	"home-decor": {"living room decor", "farmhouse style", "bedroom ideas", "wall art",
		"kitchen makeover", "boho decor", "gallery wall", "cozy bedroom", "bathroom remodel",
		"entryway ideas", "plant shelf"},
	"mens-fashion": {"mens outfits", "casual style", "leather jacket", "suit and tie", "streetwear",
		"mens haircuts", "summer outfits", "denim jacket", "chelsea boots", "smart casual",
		"watch collection", "beard styles"},
	"quotes": {"life quotes", "motivational quotes", "love quotes", "inspirational sayings",
		"funny quotes", "friendship quotes", "positive vibes", "mindset", "self love",
		"daily affirmations", "wise words"},
	"tattoos": {"small tattoos", "floral tattoo", "sleeve tattoo", "minimalist tattoo",
		"script tattoo", "tattoo ideas", "wrist tattoo", "geometric tattoo", "butterfly tattoo",
		"fine line tattoo", "back tattoo"},
	"travel": {"travel destinations", "beach vacation", "road trip", "packing list", "travel tips",
		"national parks", "europe travel", "hidden gems", "bucket list", "island getaway",
		"city break", "travel photography"},
	"vehicles": {"old school cars", "classic cars", "lowrider", "sports cars", "muscle cars",
		"antique cars", "dream cars", "custom trucks", "motorcycles", "nissan gtr", "jeep wrangler",
		"cadillac ct6", "1959 cadillac"},
}

// adjectives qualify subjects in titles and tags.
var adjectives = []string{"easy", "simple", "cute", "modern", "vintage", "beautiful", "creative",
	"unique", "cheap", "amazing", "rustic", "classic", "colorful", "minimal", "cozy", "elegant",
	"fun", "quick", "black", "gold", "old", "best", "small", "diy"}

// titleTemplates build a pin title from an adjective, a subject and a number.
var titleTemplates = []string{
	"$n $adj $subject ideas",
	"$adj $subject",
	"how to make $adj $subject",
	"$subject - $adj and fun",
	"the best $subject for beginners",
	"$n $subject you will love",
	"$subject {$adj}",
	"$adj $subject & more",
	"our favourite $subject",
}

// sentences build a description from a subject and an adjective.
var sentences = []string{
	"Looking for $adj $subject? These are the ones we keep coming back to.",
	"Here is everything you need to know about $subject.",
	"So $adj and so easy to make at home.",
	"Save this pin for later!",
	"$subject that anyone can do in an afternoon.",
	"We tried dozens of $subject and these were the most $adj.",
	"Click through for the full guide, with pictures of every step.",
	"Perfect for a weekend project.",
	"A \"$adj\" take on $subject, straight from our studio.",
	"Find more $subject on our blog.",
}

// firstNames and lastNames make user names and personal poster names.
var firstNames = []string{"Aaron", "Abigail", "Adam", "Alexander", "Alexandria", "Alicia",
	"Amanda", "Amy", "Andrea", "Andrew", "Angela", "Anthony", "Ashley", "Barbara", "Benjamin",
	"Brandon", "Brian", "Brittany", "Carlos", "Carol", "Catherine", "Charles", "Christina",
	"Christopher", "Cynthia", "Daniel", "David", "Deborah", "Dennis", "Diana", "Donald", "Donna",
	"Dylan", "Edward", "Elizabeth", "Emily", "Emma", "Eric", "Erin", "Frank", "Gabriel", "Gary",
	"George", "Grace", "Gregory", "Hannah", "Heather", "Henry", "Isabel", "Jacob", "James",
	"Jasmine", "Jason", "Jennifer", "Jeremy", "Jessica", "John", "Jonathan", "Joseph", "Joshua",
	"Julia", "Justin", "Karen", "Katherine", "Kathleen", "Kelly", "Kenneth", "Kevin", "Kimberly",
	"Kyle", "Laura", "Lauren", "Linda", "Lisa", "Logan", "Lucas", "Madison", "Maria", "Mark",
	"Mary", "Matthew", "Megan", "Melissa", "Michael", "Michelle", "Natalie", "Nicholas", "Nicole",
	"Noah", "Olivia", "Patricia", "Patrick", "Paul", "Rachel", "Raymond", "Rebecca", "Richard",
	"Robert", "Ryan", "Samantha", "Samuel", "Sandra", "Sarah", "Scott", "Sean", "Sharon",
	"Sophia", "Stephanie", "Stephen", "Steven", "Susan", "Taylor", "Thomas", "Timothy", "Tyler",
	"Victoria", "William", "Zachary"}

var lastNames = []string{"Abbott", "Acosta", "Adams", "Aguirre", "Alexander", "Ali", "Allen",
	"Alvarado", "Anderson", "Bailey", "Baker", "Barnes", "Bell", "Bennett", "Bradshaw", "Brooks",
	"Brown", "Bryant", "Butler", "Campbell", "Carter", "Castillo", "Cervantes", "Clark", "Collins",
	"Cook", "Cooper", "Cox", "Cruz", "Davis", "Diaz", "Edwards", "Evans", "Fisher", "Flores",
	"Ford", "Foster", "Garcia", "Gomez", "Gonzalez", "Gordon", "Graham", "Gray", "Green",
	"Griffin", "Hall", "Hamilton", "Harris", "Hayes", "Henderson", "Hernandez", "Hill", "Howard",
	"Hughes", "Jackson", "James", "Jenkins", "Johnson", "Jones", "Kelly", "Kennedy", "Kim", "King",
	"Lee", "Lewis", "Long", "Lopez", "Martin", "Martinez", "Mason", "Meyer", "Miller", "Mitchell",
	"Moore", "Morgan", "Morris", "Murphy", "Myers", "Nelson", "Nguyen", "Ortiz", "Owens", "Parker",
	"Patel", "Perales", "Perez", "Perry", "Peterson", "Phillips", "Powell", "Price", "Ramirez",
	"Reed", "Reyes", "Richardson", "Rivera", "Roberts", "Robinson", "Rodriguez", "Rogers", "Ross",
	"Russell", "Sanchez", "Sanders", "Scott", "Simmons", "Smith", "Stewart", "Sullivan", "Taylor",
	"Thomas", "Thompson", "Torres", "Turner", "Uyemura", "Walker", "Ward", "Washington", "Watson",
	"White", "Williams", "Wilson", "Wood", "Wright", "Young"}

// brandWords and brandTemplates make the account names of brands and blogs.
var brandWords = []string{"Studio", "Home", "Craft", "Style", "Life", "Morning", "Design", "Daily",
	"Nest", "Club", "Kitchen", "Garage", "Journey", "Atelier", "Planner", "Ink", "Wanderer",
	"Maker", "Collective", "Closet", "Canvas", "Market", "Garden", "Classroom", "Money"}

// brandTemplates take two brand words and a first name.
var brandTemplates = []string{
	"$w1 $w2",
	"The $w1 $w2",
	"$first {$w1$w2.com}",
	"$w124-7",
	"$first's $w1",
	"Life on $w1 | $w2, Holiday Decor & DIY Website",
	"Our Mindful $w1",
	"$w1 & $w2 Co.",
	"$w1$w2",
}
