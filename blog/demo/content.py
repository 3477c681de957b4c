"""Demo content for The Kestrel Bay Courier.

Pure data, no logic. Everything here is fictional: the town of Kestrel Bay,
Saltholme Island, the Greyholm Peninsula and every person quoted. All email
addresses use reserved example domains.
"""

from typing import TypedDict, final


class SiteSpec(TypedDict):
    title: str
    tagline: str


class AuthorSpec(TypedDict):
    slug: str
    display_name: str
    email: str
    role: str
    website: str
    bio: str  # Markdown


class TagSpec(TypedDict):
    slug: str
    name: str


@final
class ArticleLink(TypedDict):
    article: str  # one of ours, by slug


@final
class WebLink(TypedDict):
    url: str
    title: str


class CommentSpec(TypedDict):
    name: str
    email: str
    website: str
    body: str
    minutes_after: int  # after the article's publication
    reply_to: int | None  # the index of an earlier comment of the same article


class ArticleSpec(TypedDict):
    slug: str
    title: str
    summary: str
    author: str  # an author's slug
    tags: list[str]  # slugs
    published_at: str | None  # ISO 8601 with offset
    status: str  # "published" or "draft"
    comments_open: bool
    body: str  # Markdown
    keep_reading: list[ArticleLink | WebLink]
    comments: list[CommentSpec]


SITE: SiteSpec = {
    "title": "The Kestrel Bay Courier",
    "tagline": "Local news for Kestrel Bay, Saltholme Island and the Greyholm Peninsula",
}

# Exactly three; one "admin", one "editor", one "author".
AUTHORS: list[AuthorSpec] = [
    {
        "slug": "imogen-hartwell",
        "display_name": "Imogen Hartwell",
        "email": "imogen.hartwell@example.org",
        "role": "admin",
        "website": "https://example.org/courier/staff/imogen-hartwell",
        "bio": (
            "Imogen Hartwell is the editor of *The Kestrel Bay Courier* and has "
            "worked on the paper for nineteen years, starting as a junior "
            "reporter covering the magistrates' court and parish councils. She "
            "writes about local government, the harbour and anything that "
            "changes how the town is run. Outside the newsroom she sings with "
            "the Kestrel Bay Choral Society and swims off Marram Sands all year "
            "round. You can read about the paper's editorial standards "
            "[on our about page](https://example.org/courier/about)."
        ),
    },
    {
        "slug": "ruth-calloway",
        "display_name": "Ruth Calloway",
        "email": "ruth.calloway@example.org",
        "role": "editor",
        "website": "https://example.org/courier/staff/ruth-calloway",
        "bio": (
            "Ruth Calloway is the Courier's news editor, which means she decides "
            "what goes on the front page and spends a great deal of time chasing "
            "people for quotes. She grew up on Saltholme Island, went to school "
            "in Kestrel Bay and spent eight years on regional papers before "
            "coming home. She covers education and community life and, on "
            "Saturday afternoons, *Kestrel Bay Rovers*."
        ),
    },
    {
        "slug": "farid-mensah",
        "display_name": "Farid Mensah",
        "email": "farid.mensah@example.net",
        "role": "author",
        "website": "https://example.net/farid-mensah",
        "bio": (
            "Farid Mensah joined the Courier as a reporter in 2024 after "
            "studying journalism and presenting a weekly show on a community "
            "radio station. He covers business, transport and the working "
            "harbour, and is usually the first to hear when the ferry timetable "
            "changes. He is happiest on the quay at six in the morning with a "
            "notebook and a flask of *very* strong coffee. Story tips are always "
            "welcome: see [how to contact the newsroom](https://example.org/courier/contact)."
        ),
    },
]

TAGS: list[TagSpec] = [
    {"slug": "harbour", "name": "Harbour"},
    {"slug": "town-council", "name": "Town Council"},
    {"slug": "planning", "name": "Planning"},
    {"slug": "fishing", "name": "Fishing Industry"},
    {"slug": "business", "name": "Business"},
    {"slug": "schools", "name": "Schools"},
    {"slug": "school-funding", "name": "School Funding"},
    {"slug": "weather", "name": "Weather"},
    {"slug": "ferries", "name": "Ferries"},
    {"slug": "saltholme", "name": "Saltholme Island"},
    {"slug": "transport", "name": "Transport"},
    {"slug": "sport", "name": "Sport"},
    {"slug": "kestrel-bay-rovers", "name": "Kestrel Bay Rovers"},
    {"slug": "community", "name": "Community"},
]

# Exactly eight. Exactly one is a draft (published_at None).
ARTICLES: list[ArticleSpec] = [
    # ------------------------------------------------------------------ 1
    {
        "slug": "harbour-redevelopment-plan-goes-out-to-consultation",
        "title": "Harbour redevelopment plan goes out to public consultation",
        "summary": (
            "Kestrel Bay Town Council has published draft plans to rebuild North "
            "Quay, add a public promenade and relocate several fishing berths, "
            "with residents invited to comment until mid-October."
        ),
        "author": "ruth-calloway",
        "tags": ["harbour", "town-council", "planning"],
        "published_at": "2026-09-03T08:30:00+00:00",
        "status": "published",
        "comments_open": True,
        "body": """\
Residents of Kestrel Bay have six weeks to have their say on the most ambitious change to the town's waterfront in half a century, after the town council published its draft plans for the redevelopment of North Quay on Wednesday.

The proposals, drawn up over eighteen months with the Kestrel Bay Harbour Trust, would replace the crumbling timber staging along the quay with a reinforced sea wall, create a wide public promenade running from the lifeboat station to Chandler's Wharf, and bring the derelict net lofts back into use for small businesses.

## What is in the plan

The consultation documents, available at the library on Fenwick Road and online, set out three main changes:

- A new sea wall and promenade along North Quay, with seating, lighting and a covered shelter
- The conversion of the four Victorian net lofts into workshops and a café
- The relocation of eleven fishing berths from North Quay to an extended pontoon at the southern end of the harbour

The estimated cost is £7.4 million, of which the council hopes to secure around two thirds from a regional coastal communities fund. The remainder would come from the Harbour Trust's reserves and from borrowing.

Councillor Hester Penrose, who leads the council, said the timber staging had reached the end of its life. “Every winter we patch it up and every winter the sea takes a bit more of it back,” she said. “We can spend the money on repairs that buy us five years, or we can do something that lasts for the next fifty. I would rather we had that argument in the open, with everybody in the room.”

## Questions over the berths

The berth relocation is likely to be the most contentious element. Several boat owners have already told the Courier they are worried about the distance between the proposed southern pontoon and the fish market, and about how much shelter the new position would offer in a south-westerly gale.

Harbourmaster Angus Threlkeld said the layout was not fixed. “The drawings are a starting point, not a finished product,” he said. “If the people who actually use the harbour tell us something will not work, we need to hear that now, while it is still lines on paper.”

Two drop-in sessions will be held at the Mariners' Institute on 17 and 24 September, between 4pm and 8pm, where council officers and the project's engineers will answer questions. Written responses can be sent to the council offices on Quay Street or filled in on paper at the library. The consultation closes on 15 October. Officers will then prepare a report for the full council, which is expected to vote on a final scheme before the end of the year. The Courier will be following the process closely. If you have a view on the plans, you can write to our letters page or join the discussion below.
""",
        "keep_reading": [
            {
                "url": "https://example.org/kestrel-bay-council/north-quay-consultation",
                "title": "North Quay consultation documents (Kestrel Bay Town Council)",
            },
        ],
        "comments": [
            {
                "name": "Gwen Tallack",
                "email": "gwen.tallack@example.net",
                "website": "",
                "body": (
                    "Good to see this finally out in the open. The staging by the "
                    "lifeboat station has been taped off for most of the summer, "
                    "so *something* has to be done."
                ),
                "minutes_after": 42,
                "reply_to": None,
            },
            {
                "name": "Rob Haskell",
                "email": "rob.haskell@example.com",
                "website": "https://example.com/robhaskell",
                "body": (
                    "I'll reserve judgement until I've seen the drawings properly, "
                    "but moving the boats to the far end of the harbour looks like "
                    "solving a problem nobody asked about."
                ),
                "minutes_after": 95,
                "reply_to": None,
            },
            {
                "name": "Gwen Tallack",
                "email": "gwen.tallack@example.net",
                "website": "",
                "body": (
                    "Fair point, Rob. The drop-in on the 17th is the place to say "
                    "it. I'm going, and I'd encourage anyone with a view to do the same."
                ),
                "minutes_after": 130,
                "reply_to": 1,
            },
            {
                "name": "Lena Morcom",
                "email": "lena+courier@example.net",
                "website": "",
                "body": (
                    "Will there be anything for people who can't get to the "
                    "Mariners' Institute? My mum is housebound but has lived on "
                    "Harbour Street for sixty years and has plenty to say."
                ),
                "minutes_after": 240,
                "reply_to": None,
            },
        ],
    },
    # ------------------------------------------------------------------ 2
    {
        "slug": "shoreline-primary-faces-180000-budget-shortfall",
        "title": "Shoreline Primary faces £180,000 shortfall as pupil numbers fall",
        "summary": (
            "Governors at Kestrel Bay's largest primary school say falling rolls "
            "and rising energy costs have left a significant gap in next year's "
            "budget, and have begun looking at where savings could be found."
        ),
        "author": "farid-mensah",
        "tags": ["schools", "school-funding", "community"],
        "published_at": "2026-09-10T07:45:00+00:00",
        "status": "published",
        "comments_open": True,
        "body": """\
Shoreline Primary School is facing a budget gap of around £180,000 for the next financial year, its governors have warned, as a falling number of pupils and higher running costs squeeze the school's finances. In a letter sent to parents on Monday, the chair of governors, Margaret Ellerby, said the school had been able to absorb smaller shortfalls in recent years by drawing on its reserves, but that those reserves would be largely spent by the end of this academic year.

## Fewer children, same building

School funding is calculated largely on the number of pupils on roll. Shoreline, which sits on Gullstone Road and was built for 420 children, currently has 341. Figures from the county council's education department suggest that number could fall below 320 within three years, reflecting a wider drop in the birth rate across the Greyholm Peninsula and the difficulty young families have in finding homes they can afford in the town. At the same time, the cost of heating and maintaining a building designed for a larger school has not fallen. The school's energy bill is almost double what it was four years ago.

Headteacher Oliver Ashdown said staff were determined to protect children from the impact. “The things that matter most happen in the classroom, and that is where we will fight hardest to keep things as they are,” he said. “But I would not be being straight with parents if I said nobody would notice anything. We are going to have to make choices.”

Options being considered by governors include:

- Not replacing two teaching assistants who are due to retire next summer
- Reducing the number of after-school clubs run by paid staff
- Sharing a business manager with another school in the area
- Letting out unused classrooms to community groups or a nursery

No decisions have been taken, and Mrs Ellerby's letter stressed that governors wanted to hear from families before drawing up firm proposals.

## A wider pattern

Shoreline is not the only school in the area under pressure. Headteachers from four other primary schools on the peninsula wrote to the county council in the summer, warning that smaller rural schools faced similar shortfalls and that some could struggle to keep mixed-age classes viable.

A county council spokesperson said it recognised the challenges created by falling rolls and was “working closely with schools to plan for the years ahead”, including through support for schools that wanted to share staff or services.

Parents have been invited to a meeting in the school hall at 6pm on Tuesday 22 September, where governors will set out the figures and take questions. A crèche will be provided, and the meeting will be recorded for families who cannot attend. The county's school funding guidance, including how per-pupil allocations are worked out, is published on the county council website.
""",
        "keep_reading": [
            {
                "url": "https://example.org/greyholm-county/school-funding-guidance",
                "title": "How school funding is calculated (Greyholm County Council)",
            },
        ],
        "comments": [
            {
                "name": "Bethan Quayle",
                "email": "bethan.quayle@example.com",
                "website": "",
                "body": (
                    "Thank you for setting this out so clearly. The letter home was "
                    "quite hard to follow. I'll be at the meeting."
                ),
                "minutes_after": 120,
                "reply_to": None,
            },
            {
                "name": "Martin Oduya",
                "email": "martin.oduya@example.net",
                "website": "https://example.net/~moduya",
                "body": (
                    "The county's funding formula is published here for anyone who "
                    "wants to check the numbers: "
                    "https://example.com/greyholm-county/school-funding-2026 "
                    "It's dry reading but worth it."
                ),
                "minutes_after": 300,
                "reply_to": None,
            },
            {
                "name": "Bethan Quayle",
                "email": "bethan.quayle@example.com",
                "website": "",
                "body": "That's really useful, thanks Martin.",
                "minutes_after": 345,
                "reply_to": 1,
            },
        ],
    },
    # ------------------------------------------------------------------ 3
    {
        "slug": "fishermen-warn-harbour-berth-move-could-cost-them",
        "title": "Fishermen warn harbour berth move could cost them working hours",
        "summary": (
            "Boat owners who work from North Quay say moving their berths to a new "
            "southern pontoon would add time, fuel and risk to every trip, and are "
            "asking for changes before the council votes."
        ),
        "author": "farid-mensah",
        "tags": ["harbour", "fishing", "business", "planning"],
        "published_at": "2026-09-17T09:15:00+00:00",
        "status": "published",
        "comments_open": True,
        "body": """\
Colm Draycott has been landing crab and lobster at North Quay for thirty-one years, and his father did the same before him. Standing on the deck of the *Morwenna*, he points across the harbour to the spot where the council would like him to tie up in future. “On paper it is four hundred metres,” he said. “In practice it is a trolley ride round the whole basin with a hundred kilos of catch, twice a day, in the dark for half the year. Nobody who drew that line has had to do it.”

Mr Draycott is one of eleven boat owners whose berths would move under the draft harbour redevelopment plan, which went out to public consultation earlier this month. The scheme would free up North Quay for a public promenade and new businesses in the old net lofts, and place working boats on an extended pontoon at the southern end of the harbour.

## Shelter and access

Skippers who spoke to the Courier this week raised three main concerns. The first is distance from the fish market and the ice plant, both of which would stay where they are. The second is shelter: the southern end of the harbour takes the brunt of a south-westerly swell, and several owners said they would not be comfortable leaving boats there unattended through the winter. The third is vehicle access. At present, buyers' vans can reverse almost to the quay edge. The draft plans show a turning area near the pontoon, but no dedicated loading bay.

Sian Polglase, who runs a two-person crabbing business with her brother, said the fleet was not opposed to change. “We are not saying leave everything as it is. The staging is rotten, everybody knows that,” she said. “We are saying put the promenade behind us, or beside us, not instead of us. A working harbour is the reason people come here to look at it.”

## Harbour Trust responds

Yvonne Marchetti, who chairs the Kestrel Bay Harbour Trust, said the trustees had met a delegation of boat owners on Monday and had asked the engineers to look again at the southern pontoon.

“We have heard the points about shelter in particular, and they are fair points,” she said. “One option we are now costing is a short breakwater extension, which would help. Another is keeping some berths on North Quay itself. Neither is free, and we have to be honest about that.”

The fishing fleet contributes an estimated £2.1 million a year to the local economy, according to a 2024 study commissioned by the trust, and supports around sixty jobs on and off the water. Boat owners have started a petition asking for a working berth zone to be protected on North Quay. By Tuesday evening it had gathered more than 900 signatures, online and on paper at the Anchor Stores on Harbour Street.

The consultation runs until 15 October, and a second drop-in session will be held at the Mariners' Institute on 24 September.
""",
        "keep_reading": [
            {"article": "harbour-redevelopment-plan-goes-out-to-consultation"},
            {
                "url": "https://example.org/kestrel-bay-harbour-trust/fleet-study-2024",
                "title": "The value of the Kestrel Bay fishing fleet (Harbour Trust, 2024)",
            },
        ],
        "comments": [
            {
                "name": "Pete Jago",
                "email": "P.Jago@example.com",
                "website": "",
                "body": (
                    "Colm is right about the trolley run. I did it for a season off "
                    "the old southern steps in the nineties and it nearly finished "
                    "my back."
                ),
                "minutes_after": 55,
                "reply_to": None,
            },
            {
                "name": "Harriet Lowen",
                "email": "harriet.lowen@example.org",
                "website": "https://example.org/lowen-studio",
                "body": (
                    "As someone who would love a workshop in the net lofts, I don't "
                    "see why it has to be either/or. Keep the boats *and* open the "
                    "lofts. Signed the petition this morning."
                ),
                "minutes_after": 180,
                "reply_to": None,
            },
            {
                "name": "Pete Jago",
                "email": "P.Jago@example.com",
                "website": "",
                "body": "Exactly that, Harriet. Nobody down on the quay is against the lofts.",
                "minutes_after": 210,
                "reply_to": 1,
            },
        ],
    },
    # ------------------------------------------------------------------ 4
    {
        "slug": "storm-delphine-cuts-power-and-halts-saltholme-ferry",
        "title": "Storm Delphine cuts power and halts Saltholme ferry crossings",
        "summary": (
            "Gusts of up to 78mph brought down power lines across the Greyholm "
            "Peninsula overnight, damaged the ferry slipway at Saltholme and left "
            "around 1,800 homes without electricity this morning."
        ),
        "author": "imogen-hartwell",
        "tags": ["weather", "ferries", "saltholme", "transport"],
        "published_at": "2026-10-06T06:20:00+00:00",
        "status": "published",
        "comments_open": True,
        "body": """\
Storm Delphine swept across the Greyholm Peninsula overnight, with gusts of up to 78mph bringing down power lines and trees and forcing the suspension of all ferry crossings between Kestrel Bay and Saltholme Island. The strongest winds were recorded at Gullstone Point at around 2am, according to the coastguard station there. By 6am, the electricity network operator said around 1,800 properties on the peninsula were without power, most of them in the villages along the coast road north of the town.

## Ferry slipway damaged

The ferry operator, Greyholm Island Ferries, cancelled the last two sailings on Monday evening as the wind strengthened, and has confirmed there will be no crossings today. A first inspection of the Saltholme slipway, carried out by torchlight in the early hours, found that part of the concrete apron had been undermined by the swell and that a section of the guard rail had been torn away.

Priya Venkataraman, the company's operations manager, said safety had to come first. “We know how much the island depends on this service, for work, for school, for hospital appointments, for food,” she said. “But we cannot land a vehicle ferry on a slipway until we are certain it will take the weight. Our engineers will be out there at first light, and we will give people an honest timetable as soon as we have one.”

Around 160 people live on Saltholme year-round. The island shop said it had enough stock for several days, and the parish council has set up a phone tree to check on older residents.

## Roads and schools

Fenwick Road was closed for several hours after a large beech tree fell across both lanes near the cemetery, and the coast road at Marram Sands remains closed this morning because of debris and standing water. Kestrel Bay High School expects to open as normal, but pupils who travel from Saltholme have been told to stay at home and will be set work online. Shoreline Primary and the other primary schools in the town are also expected to open.

Emergency services said they had dealt with more than forty calls overnight, most of them for fallen trees and loose roofing. Nobody is reported to have been seriously hurt.

Residents are being asked to:

- Stay well away from fallen power lines and report them to the network operator
- Avoid the seafront and harbour walls while the swell remains high
- Check on elderly or vulnerable neighbours, particularly those without power

Forecasters expect the wind to ease through the afternoon, although a further band of heavy rain is due overnight and could cause localised flooding on low-lying roads. The Courier will update this story through the day as more information becomes available.
""",
        "keep_reading": [
            {
                "url": "https://example.org/peninsula-power/outage-map",
                "title": "Live power cut map for the Greyholm Peninsula",
            },
        ],
        "comments": [
            {
                "name": "Joan Pascoe",
                "email": "joan.pascoe@example.org",
                "website": "",
                "body": (
                    "Power back on at Marram Sands as of 11am. Thank you to the "
                    "engineers who were up the poles in that wind."
                ),
                "minutes_after": 290,
                "reply_to": None,
            },
            {
                "name": "Nick Brayley",
                "email": "nick.brayley@example.com",
                "website": "https://example.com/brayley-builders",
                "body": (
                    "Does anyone know whether the coast road is open to Tidewell "
                    "yet? I've got a job out there this afternoon."
                ),
                "minutes_after": 310,
                "reply_to": None,
            },
            {
                "name": "Joan Pascoe",
                "email": "joan.pascoe@example.org",
                "website": "",
                "body": (
                    "Still shut at the Marram turning when I came past at twenty to "
                    "twelve, Nick. Police were there turning people back."
                ),
                "minutes_after": 335,
                "reply_to": 1,
            },
            {
                "name": "Nick Brayley",
                "email": "nick.brayley@example.com",
                "website": "https://example.com/brayley-builders",
                "body": "Cheers Joan, I'll go the long way round via Fenwick.",
                "minutes_after": 350,
                "reply_to": 2,
            },
            {
                "name": "Saltholme Parish Council",
                "email": "clerk.saltholme@example.net",
                "website": "https://example.net/saltholme-parish",
                "body": (
                    "If you are worried about a neighbour on the island, please ring "
                    "the parish clerk and we will make sure someone checks in. "
                    "*Please don't try to cross in a private boat* until the swell drops."
                ),
                "minutes_after": 400,
                "reply_to": None,
            },
        ],
    },
    # ------------------------------------------------------------------ 5
    {
        "slug": "full-saltholme-ferry-timetable-returns-after-repairs",
        "title": "Full Saltholme ferry timetable returns after emergency slipway repairs",
        "summary": (
            "Vehicle crossings to Saltholme Island resumed on Wednesday after eight "
            "days of foot-passenger-only sailings, though the ferry operator says a "
            "permanent repair to the storm-damaged slipway will take until spring."
        ),
        "author": "farid-mensah",
        "tags": ["ferries", "saltholme", "transport", "community"],
        "published_at": "2026-10-14T12:00:00+00:00",
        "status": "published",
        "comments_open": True,
        "body": """\
The full ferry timetable between Kestrel Bay and Saltholme Island was restored this morning, eight days after Storm Delphine damaged the slipway on the island and left its 160 residents without a vehicle service. The 7.15am sailing from Kestrel Bay carried its first cars, vans and a delivery lorry since the storm, and was met at Saltholme by a small group of islanders who had come down to the slipway to watch.

Engineers working for Greyholm Island Ferries spent most of last week filling the void beneath the slipway's concrete apron and fitting steel plates over the damaged section. The guard rail has been replaced with a temporary barrier.

Priya Venkataraman, the company's operations manager, said the repair had been tested thoroughly before vehicles were allowed back. “We have had the surveyors out twice and run the ferry on and off it empty more times than I can count,” she said. “It is safe. It is also temporary, and we will need to close the slipway again for a proper rebuild, but we will do that in the spring, in better weather and with plenty of notice.”

A limited foot-passenger service had run from the island's small pier since last Thursday, using the company's launch, the *Tern*. It carried around 90 passengers a day, including schoolchildren and hospital patients.

## Island life

Residents said the eight days had been difficult but had brought the community together. The island shop was restocked by launch, and volunteers from the parish council delivered prescriptions and hot meals to people who could not travel.

Ewan Kittow, who farms sheep on the north side of the island, said his biggest worry had been animal feed. “I had about a week's worth in the shed, so it was getting tight,” he said. “The ferry crew brought some over on the launch for me on Saturday, sack by sack, which they had no need to do. I will not forget that.”

Not everyone was as forgiving. Some islanders have questioned why a slipway that was last rebuilt in 1998 was not inspected more often, and the parish council has written to the ferry operator asking for a copy of its maintenance records. Ms Venkataraman said the company would share the records and would attend the next parish council meeting, on 3 November, to answer questions in person.

## What happens next

The permanent repair is expected to cost around £240,000. Greyholm Island Ferries says it will meet the cost itself if necessary, but is seeking a contribution from the county council's highways budget, as the slipway is classed as part of the island's road network. A timetable for the spring closure, and details of the replacement foot-passenger service during the works, will be published by the end of January.
""",
        "keep_reading": [
            {"article": "storm-delphine-cuts-power-and-halts-saltholme-ferry"},
        ],
        "comments": [
            {
                "name": "Kerra Jewell",
                "email": "kerra.jewell@example.org",
                "website": "",
                "body": ("The launch crew were brilliant all week. My daughter never missed a day of school."),
                "minutes_after": 75,
                "reply_to": None,
            },
            {
                "name": "Alan Stride",
                "email": "alan.stride@example.net",
                "website": "",
                "body": (
                    "Glad it's back, but the parish council is right to ask about "
                    "inspections. A slipway doesn't fail overnight without *some* "
                    "warning signs."
                ),
                "minutes_after": 190,
                "reply_to": None,
            },
        ],
    },
    # ------------------------------------------------------------------ 6
    {
        "slug": "late-pendry-header-sends-rovers-into-county-cup-quarter-finals",
        "title": "Late Pendry header sends Rovers into County Cup quarter-finals",
        "summary": (
            "Kestrel Bay Rovers came from a goal down to beat Harrowfield Town 2-1 "
            "at Tidemark Park, setting up the club's first County Cup quarter-final "
            "appearance in more than twenty years."
        ),
        "author": "ruth-calloway",
        "tags": ["sport", "kestrel-bay-rovers", "community"],
        "published_at": "2026-10-24T19:40:00+00:00",
        "status": "published",
        "comments_open": True,
        "body": """\
Kestrel Bay Rovers are into the quarter-finals of the County Cup for the first time since 2003, after a stoppage-time header from Josh Pendry gave them a 2-1 win over Harrowfield Town at Tidemark Park this afternoon. A crowd of 612, the biggest at the ground this season, saw the home side fall behind early and spend much of the first half chasing the game against opponents who play two divisions higher.

Harrowfield took the lead after eleven minutes, when their captain, Lewis Stainforth, met a corner at the near post and flicked it past Rovers goalkeeper Callum Noye. For the next half an hour the visitors controlled possession, and only a fine save from Noye, tipping a long-range shot onto the bar, kept the deficit to one.

Rovers manager Declan Furze said he had spoken calmly to his players at half-time. “I told them they had given Harrowfield too much respect,” he said. “They are a good side, but they are not a different species. I asked the lads to get closer to them, win the second balls and let the crowd do the rest.”

The change was immediate. Rovers pressed higher after the break and equalised in the 58th minute, when full-back Tariq Bellamy-Odell ran on to a loose ball on the edge of the area and drove it low into the far corner.

## Pendry's moment

The winner came in the second minute of stoppage time. Substitute Ryan Carne, a 17-year-old from the club's under-18 side, delivered a deep cross from the right, and Pendry rose above two defenders to head it down and in. The 34-year-old striker, who works as a plumber during the week and has played for the club for more than a decade, was mobbed by teammates and by supporters who spilled onto the edge of the pitch.

“I have been here a long time and I have had a lot of cold Tuesday nights,” Pendry said afterwards. “This is what you put up with them for. I just wish my dad had been here to see it.”

## A boost for the floodlight fund

The cup run has come at a welcome time. The club's volunteers have been raising money to replace the floodlights at Tidemark Park, which no longer meet league standards, and club secretary Maureen Oakes said today's gate receipts would make a real difference. “We took more on the gate today than we usually take in a month,” she said. “Every penny goes back into the ground. If we draw a big club in the next round, we might even get the lights done before Christmas.”

The quarter-final draw will take place on Monday evening. Ties are due to be played on Saturday 21 November.
""",
        "keep_reading": [],
        "comments": [
            {
                "name": "Sophie Angwin",
                "email": "sophie.angwin@example.com",
                "website": "",
                "body": (
                    "What a finish! I've been going to Tidemark since I was six and I've never heard noise like it."
                ),
                "minutes_after": 25,
                "reply_to": None,
            },
            {
                "name": "Kev Retallick",
                "email": "kev.retallick@example.net",
                "website": "https://example.net/rovers-fanzine",
                "body": (
                    "Proper credit to young Carne for that cross. Remember the name. "
                    "Full report and photos on the fanzine later tonight."
                ),
                "minutes_after": 48,
                "reply_to": None,
            },
            {
                "name": "Sophie Angwin",
                "email": "sophie.angwin@example.com",
                "website": "",
                "body": "That cross was *perfect*. He's only just left school!",
                "minutes_after": 70,
                "reply_to": 1,
            },
            {
                "name": "Maureen Oakes",
                "email": "maureen.oakes@example.org",
                "website": "",
                "body": (
                    "Thank you to everyone who came along, and to the volunteers who "
                    "ran the turnstiles and the tea bar. The floodlight fund bucket "
                    "will be out again at the next home game."
                ),
                "minutes_after": 160,
                "reply_to": None,
            },
        ],
    },
    # ------------------------------------------------------------------ 7
    {
        "slug": "council-narrowly-approves-revised-harbour-scheme",
        "title": "Council narrowly approves revised harbour scheme after long debate",
        "summary": (
            "Councillors voted eight to six to back a revised North Quay "
            "redevelopment that keeps five fishing berths on the quay and adds a "
            "short breakwater, ending months of consultation."
        ),
        "author": "imogen-hartwell",
        "tags": ["harbour", "town-council", "planning", "fishing"],
        "published_at": "2026-11-19T07:05:00+00:00",
        "status": "published",
        "comments_open": False,
        "body": """\
Kestrel Bay Town Council has approved a revised plan to redevelop North Quay, after a debate that ran for more than three hours and drew the largest public gallery the council chamber has seen in years. The scheme was passed by eight votes to six, with one abstention, shortly before 10pm on Wednesday.

The approved version differs in several important ways from the draft that went out to consultation in September. Five of the eleven fishing berths will now remain on North Quay, in a dedicated working zone at the eastern end closest to the fish market. The remaining six will move to the southern pontoon, which will be protected by a 40-metre extension to the existing breakwater. A loading bay for buyers' vehicles has also been added.

## Cost rises

The changes push the estimated cost of the project from £7.4 million to £8.3 million. Officers told councillors that the breakwater extension accounted for most of the increase, and that the bid to the regional coastal communities fund would be resubmitted to reflect the new figure.

Councillor Hester Penrose, the council leader, said the consultation had made the scheme better. “We received more than 1,400 responses, and I would like to thank every person who took the time,” she said. “What we are voting on tonight is not the plan we started with. It is a plan that the harbour's own users have shaped, and I think it is stronger for that.”

Not everybody was persuaded. Councillor Gareth Mowbray, who represents the Harbourside ward, argued that the town was taking on too much financial risk before the grant funding had been confirmed. “If the fund says no, or says half, we are left holding a very large bill and a half-built quay,” he said. “I support fixing the staging. I do not support signing a cheque when we cannot yet see the bottom of it.”

## Reaction on the quay

Boat owners, who had campaigned for a protected working zone, gave the decision a cautious welcome. Sian Polglase, one of the organisers of a petition that gathered more than 2,000 signatures, said the fleet had been listened to.

> “It is not everything we asked for, but it is a long way from where we started. Five berths on the quay means the harbour still looks and smells like a harbour, and that matters.”

Harbourmaster Angus Threlkeld said detailed design work would begin in January, with a planning application expected in the spring. If funding is secured, construction could start in the autumn of 2027 and would take around eighteen months. During the works, the council has committed to keeping at least one public route along the waterfront open at all times, and to publishing a monthly update on progress and spending.

Comments on this article have been closed. Letters for publication can still be sent to the editor in the usual way.
""",
        "keep_reading": [
            {"article": "harbour-redevelopment-plan-goes-out-to-consultation"},
            {"article": "fishermen-warn-harbour-berth-move-could-cost-them"},
        ],
        "comments": [
            {
                "name": "Tomas Rudd",
                "email": "tomas.rudd@example.net",
                "website": "",
                "body": (
                    "A sensible compromise in the end. Cllr Mowbray's point about "
                    "the grant is a fair one though. I hope those monthly updates "
                    "actually happen."
                ),
                "minutes_after": 60,
                "reply_to": None,
            },
            {
                "name": "Alys Treloar",
                "email": "alys.treloar@example.org",
                "website": "",
                "body": (
                    "Three hours! I was in the gallery and can confirm the chairs "
                    "are no more comfortable than they were at the last big vote."
                ),
                "minutes_after": 95,
                "reply_to": None,
            },
        ],
    },
    # ------------------------------------------------------------------ 8 (draft)
    {
        "slug": "parents-pack-school-hall-as-governors-outline-savings",
        "title": "Parents pack school hall as Shoreline governors outline savings",
        "summary": (
            "More than 150 parents attended a meeting at Shoreline Primary to hear "
            "how governors plan to close a £180,000 budget gap, with strong support "
            "for keeping teaching assistants in classrooms."
        ),
        "author": "ruth-calloway",
        "tags": ["schools", "school-funding", "community"],
        "published_at": None,
        "status": "draft",
        "comments_open": True,
        "body": """\
More than 150 parents, grandparents and carers crowded into the hall at Shoreline Primary School on Tuesday evening to hear how governors intend to deal with a projected budget shortfall of around £180,000. Extra chairs were brought in from classrooms, and a number of people stood at the back for the full two hours. The meeting was calm throughout, though several speakers made clear they were frustrated at how the school had come to be in this position.

## The figures

Chair of governors Margaret Ellerby took the audience through the school's accounts slide by slide. She explained that the school's income had fallen by almost £95,000 over three years as pupil numbers dropped, while energy, insurance and maintenance costs had risen by roughly the same amount. “We have not been careless with your money,” she told the room. “We have been using savings to keep things steady, and that was the right thing to do. But savings run out, and ours are about to.”

She said governors now favoured a combination of measures rather than a single large cut. Sharing a business manager with Tidewell Primary, five miles along the coast, could save around £30,000 a year. Letting two empty classrooms to a local nursery, which has already expressed interest, could bring in a further £25,000.

## Teaching assistants

The question that dominated the evening was the future of the school's teaching assistants. Governors had previously suggested not replacing two who are due to retire next summer.

Bethan Quayle, whose son is in Year 2, said teaching assistants were the people who made the biggest difference to children who were struggling. “My boy would not be reading now without the help he has had in small groups,” she said. “I would rather see a club go, or pay a bit more for breakfast club, than lose that.” Her comments drew sustained applause, and a show of hands at the end of the meeting suggested a large majority of those present shared her view.

Headteacher Oliver Ashdown said he had listened carefully. “What I have heard tonight is very clear, and governors will take it into the room with them,” he said. “If we can find the money elsewhere, we will.”

Other suggestions from the floor included:

- A modest increase in the charge for breakfast club
- A parents' fundraising drive aimed specifically at classroom support
- Asking local businesses to sponsor after-school clubs

Governors will meet on 8 October to agree a draft savings plan, which will be shared with parents before it is finalised. Mrs Ellerby said she would be happy to hold a second meeting if families wanted one.
""",
        "keep_reading": [
            {"article": "shoreline-primary-faces-180000-budget-shortfall"},
        ],
        "comments": [],
    },
    # ------------------------------------------------------------------ 9
    {
        "slug": "shoreline-primary-governors-agree-savings-plan",
        "title": "Shoreline Primary governors agree savings plan that keeps teaching assistants",
        "summary": (
            "Governors will share a business manager with Tidewell Primary and let two empty "
            "classrooms to a nursery, closing most of the school's £180,000 budget shortfall."
        ),
        "author": "ruth-calloway",
        "tags": ["schools", "school-funding"],
        "published_at": "2026-10-09T16:30:00+00:00",
        "status": "published",
        "comments_open": True,
        "body": """The governors of Shoreline Primary School have agreed a draft savings plan that protects the school's teaching assistants, after parents made clear at a packed meeting last week that classroom support mattered more to them than anything else in the budget.

Chair of governors Margaret Ellerby said the plan closes around £150,000 of the projected £180,000 shortfall. The school will share a business manager with Tidewell Primary from January and let two empty classrooms to a local nursery. The charge for breakfast club will rise by 50p a session, with free places kept for families who need them.

## The gap that remains

The remaining £30,000 will come from the school's last savings this year while governors look for a longer-term answer. Headteacher Oliver Ashdown said the school would also ask the county council to review the funding formula for small coastal schools, which he said did not reflect the cost of heating an old building by the sea.

“Parents told us what they valued, and we listened,” Mrs Ellerby said. “Nobody is pretending this is easy, but the two teaching assistants who retire next summer will be replaced.”

The draft plan will be sent to families next week. Parents have until 23 October to comment before governors take a final vote.
""",
        "keep_reading": [],
        "comments": [],
    },
    # ------------------------------------------------------------------ 10
    {
        "slug": "rovers-draw-saltmarsh-united-in-county-cup-quarter-final",
        "title": "Rovers draw Saltmarsh United at home in the County Cup quarter-final",
        "summary": (
            "Kestrel Bay Rovers will host Saltmarsh United at Tidemark Park on 21 November, "
            "and the club hopes a big crowd will finish paying for its new floodlights."
        ),
        "author": "ruth-calloway",
        "tags": ["sport", "kestrel-bay-rovers"],
        "published_at": "2026-10-26T20:15:00+00:00",
        "status": "published",
        "comments_open": True,
        "body": """Kestrel Bay Rovers will play Saltmarsh United at Tidemark Park in the quarter-finals of the County Cup, after Monday night's draw paired the club with the competition's holders. The tie will be played on Saturday 21 November, with kick-off at three o'clock.

Manager Declan Furze said his players would go into the game as underdogs but not as passengers. “Saltmarsh are the best side in the county and they will expect to win,” he said. “So did Harrowfield. We have a crowd behind us and a striker in Josh Pendry who does not know when to stop.”

## Floodlights and tickets

Club secretary Maureen Oakes said the home draw was the result the volunteers had hoped for. A full ground would bring in enough from the gate to finish paying for the replacement floodlights at Tidemark Park, which no longer meet league standards. Tickets will go on sale at the clubhouse on Saturday morning, and season-ticket holders will be able to reserve their usual seats until Wednesday.

The club has asked supporters to walk or share cars where they can, as parking near the ground is limited on match days.
""",
        "keep_reading": [],
        "comments": [],
    },
]
