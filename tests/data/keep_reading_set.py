"""A labelled set for Keep Reading's automatic picks: 42 short articles of our own (a made-up town, Marrowby)
in 7 topics, and which articles an editor would call related.

Written before the scorer was tuned against it, and not to be edited to raise the figure: the related
pairs are the editor's judgement, not the scorer's. An article's related ones are the others of its story
(``STORY``); tags cross topics on purpose (planning, town council, transport, community), as on a real site.
"""

from __future__ import annotations

from typing import NamedTuple


class Item(NamedTuple):
    key: str
    story: str  # articles of one story are related to each other
    title: str
    summary: str
    body: str
    tags: tuple[str, ...]
    day: int  # days after the first article


ITEMS = [
    # --- the island ferry ---------------------------------------------------------------------
    Item(
        "ferry-1",
        "ferry",
        "Island ferry cancelled as engine fails",
        "The morning crossing to Holm Island did not sail.",
        "The Marrowby to Holm Island ferry stayed in port after an engine fault was found during checks. "
        "Islanders waiting on the slipway were told the vessel needs a replacement part.",
        ("ferries", "transport", "holm-island"),
        0,
    ),
    Item(
        "ferry-2",
        "ferry",
        "Replacement ferry part shipped from the mainland",
        "Engineers expect the island ferry back within a week.",
        "A replacement fuel pump for the Holm Island ferry has been shipped, and engineers say the vessel could "
        "sail again within a week. A small charter boat carries islanders meanwhile.",
        ("ferries", "holm-island"),
        3,
    ),
    Item(
        "ferry-3",
        "ferry",
        "Islanders call for a second ferry",
        "Holm Island residents say one vessel is not enough.",
        "After a week without crossings, Holm Island's community council asked for a second ferry to be kept "
        "in reserve. Shopkeepers on the island said deliveries ran out within days.",
        ("ferries", "holm-island", "community"),
        9,
    ),
    Item(
        "ferry-4",
        "ferry",
        "Ferry returns to service after repairs",
        "Crossings to Holm Island resume on the normal timetable.",
        "The island ferry sailed at seven this morning with a new fuel pump fitted. The operator apologised to "
        "passengers and said the timetable is back to normal.",
        ("ferries", "transport"),
        12,
    ),
    Item(
        "ferry-5",
        "ferry",
        "Ferry fares to rise in spring",
        "The operator blames fuel costs for higher island fares.",
        "Return fares to Holm Island will rise by forty pence in April, the ferry operator said, citing fuel "
        "costs and the repair bill. Islanders' season tickets are frozen.",
        ("ferries", "holm-island", "transport"),
        40,
    ),
    Item(
        "ferry-6",
        "ferry",
        "Council studies a reserve ferry for the island",
        "A report weighs the cost of a second vessel.",
        "A report to the transport committee estimates what a reserve ferry for Holm Island would cost to buy "
        "and crew, after islanders were cut off by the engine failure.",
        ("ferries", "town-council", "transport"),
        55,
    ),
    # --- the harbour plan ---------------------------------------------------------------------
    Item(
        "harbour-1",
        "harbour",
        "Harbour redevelopment plan unveiled",
        "Flats, a marina and a fish market are proposed for the old quay.",
        "Developers showed plans to rebuild Marrowby's old quay with flats, a marina for leisure boats and a "
        "covered fish market. Fishing crews fear losing their berths.",
        ("harbour", "planning"),
        5,
    ),
    Item(
        "harbour-2",
        "harbour",
        "Fishing crews object to marina berths",
        "Skippers say the marina would push working boats out.",
        "Skippers from the fishing fleet told a public meeting that the proposed marina would take the quay's "
        "best berths and leave working boats with no room to land their catch.",
        ("harbour", "fishing"),
        11,
    ),
    Item(
        "harbour-3",
        "harbour",
        "Harbour plan consultation opens",
        "Residents have six weeks to comment on the quay scheme.",
        "The consultation on the quay redevelopment opened with drawings in the library. The planning "
        "department asks residents about the flats, the marina and the fish market.",
        ("harbour", "planning", "town-council"),
        20,
    ),
    Item(
        "harbour-4",
        "harbour",
        "Developers redraw marina to keep fishing berths",
        "The revised quay plan keeps berths for the fleet.",
        "After objections from skippers, the developers moved the marina east so the fishing fleet keeps its "
        "berths beside the new fish market. Fewer flats are planned.",
        ("harbour", "fishing", "planning"),
        33,
    ),
    Item(
        "harbour-5",
        "harbour",
        "Council approves revised quay scheme",
        "The harbour redevelopment wins approval by one vote.",
        "Councillors approved the revised redevelopment of the old quay by a single vote. Work on the fish "
        "market starts first, then the marina and the flats.",
        ("harbour", "town-council", "planning"),
        47,
    ),
    Item(
        "harbour-6",
        "harbour",
        "Fish market on the quay opens its doors",
        "The first part of the harbour scheme is finished.",
        "Marrowby's covered fish market opened on the old quay, the first part of the harbour redevelopment. "
        "Skippers landed their catch straight onto the market floor.",
        ("harbour", "fishing", "business"),
        90,
    ),
    # --- school budget ------------------------------------------------------------------------
    Item(
        "school-1",
        "school",
        "Hillside Primary faces budget gap",
        "The school must save ninety thousand pounds next year.",
        "Hillside Primary's governors warned parents of a budget gap of ninety thousand pounds, blaming rising "
        "energy bills and fewer pupils. Teaching assistant posts may go.",
        ("schools", "education", "budget"),
        2,
    ),
    Item(
        "school-2",
        "school",
        "Parents rally for teaching assistants",
        "A petition to keep Hillside's classroom assistants gathers support.",
        "Parents at Hillside Primary collected eight hundred signatures to keep the school's teaching "
        "assistants, who they say help children who struggle with reading.",
        ("schools", "education", "community"),
        8,
    ),
    Item(
        "school-3",
        "school",
        "Governors publish savings plan",
        "Hillside Primary will cut energy use and merge two classes.",
        "The governors' savings plan for Hillside Primary merges two small classes, turns down the heating in "
        "the hall and keeps all teaching assistants for another year.",
        ("schools", "budget"),
        21,
    ),
    Item(
        "school-4",
        "school",
        "Council offers schools help with energy bills",
        "A fund will cover part of primary schools' heating costs.",
        "The education committee set up a fund to cover part of the energy bills of the town's primary "
        "schools, after Hillside warned of a budget gap.",
        ("schools", "town-council", "budget"),
        30,
    ),
    Item(
        "school-5",
        "school",
        "Hillside pupils numbers rise again",
        "More children enrol, easing the school's finances.",
        "Enrolment at Hillside Primary rose for the first time in five years, bringing funding with every new "
        "pupil and easing the budget pressure on the governors.",
        ("schools", "education"),
        70,
    ),
    Item(
        "school-6",
        "school",
        "Inspectors praise Hillside's reading support",
        "A report credits teaching assistants for pupils' progress.",
        "School inspectors praised Hillside Primary's reading support, crediting the teaching assistants "
        "parents fought to keep when the budget was cut.",
        ("schools", "education"),
        95,
    ),
    # --- football -----------------------------------------------------------------------------
    Item(
        "football-1",
        "football",
        "Marrowby Town win cup opener",
        "A late goal sends Town into the second round.",
        "Marrowby Town beat Fenwick Rangers two goals to one in the county cup, with the winner headed in by "
        "striker Ola Brandt in the final minute.",
        ("sport", "football"),
        4,
    ),
    Item(
        "football-2",
        "football",
        "Town drawn away at Castleford in cup",
        "The second-round tie is the hardest of the draw.",
        "Marrowby Town will travel to league leaders Castleford in the second round of the county cup. The "
        "manager called it the toughest draw the club could have had.",
        ("sport", "football"),
        10,
    ),
    Item(
        "football-3",
        "football",
        "Striker Brandt signs new contract",
        "Town's top scorer commits to the club for two more years.",
        "Ola Brandt, whose header won the cup opener, signed a new two-year contract with Marrowby Town. The "
        "striker has scored eleven goals this season.",
        ("sport", "football", "marrowby-town"),
        18,
    ),
    Item(
        "football-4",
        "football",
        "Town knocked out at Castleford",
        "A brave cup run ends in the second round.",
        "Marrowby Town lost three goals to nil at Castleford in the county cup. The manager praised his "
        "players and said the league is now the only target.",
        ("sport", "football", "marrowby-town"),
        26,
    ),
    Item(
        "football-5",
        "football",
        "Floodlights approved for Town's ground",
        "Evening matches at the stadium get the go-ahead.",
        "Planners approved floodlights at Marrowby Town's ground, so the football club can play evening "
        "matches. Neighbours were promised the lights go off by ten.",
        ("sport", "football", "planning"),
        60,
    ),
    Item(
        "football-6",
        "football",
        "Town clinch promotion on final day",
        "A draw is enough to take the club up.",
        "Marrowby Town drew one-all on the last day of the season to win promotion. Striker Ola Brandt "
        "scored his twentieth goal of the league campaign.",
        ("sport", "football", "marrowby-town"),
        100,
    ),
    # --- the storm ----------------------------------------------------------------------------
    Item(
        "storm-1",
        "storm",
        "Storm warning for the coast",
        "Gales and high tides are forecast for the weekend.",
        "Forecasters issued an amber warning for gales on the Marrowby coast, with a high tide on Saturday "
        "night raising the risk of flooding on the seafront.",
        ("weather", "storm"),
        14,
    ),
    Item(
        "storm-2",
        "storm",
        "Seafront flooded as storm hits",
        "Waves overtopped the sea wall overnight.",
        "Storm waves broke over the sea wall and flooded the seafront road and several cellars. Firefighters "
        "pumped water from homes until dawn.",
        ("weather", "storm", "flooding"),
        16,
    ),
    Item(
        "storm-3",
        "storm",
        "Power cut to two thousand homes after gales",
        "Engineers work to restore electricity after the storm.",
        "Fallen lines left two thousand homes without electricity after the storm's gales. Engineers "
        "restored power to most streets by the evening.",
        ("weather", "storm", "emergency"),
        17,
    ),
    Item(
        "storm-4",
        "storm",
        "Storm clean-up begins on the seafront",
        "Volunteers clear sand and debris after the flooding.",
        "Volunteers and council crews cleared sand, seaweed and broken railings from the flooded seafront road "
        "as the storm passed. Cellar owners count the cost.",
        ("storm", "flooding", "community"),
        19,
    ),
    Item(
        "storm-5",
        "storm",
        "Sea wall to be raised after flooding",
        "Engineers propose a higher wall along the seafront.",
        "After the storm flooding, engineers proposed raising the seafront sea wall by half a metre and adding "
        "flood gates at the slipways.",
        ("flooding", "town-council", "planning"),
        50,
    ),
    Item(
        "storm-6",
        "storm",
        "Ferry and trains halted by storm",
        "Gales stopped island crossings and the coast railway.",
        "The storm's gales kept the Holm Island ferry in port and a fallen tree closed the coast railway line. "
        "Both services resumed once the wind dropped.",
        ("weather", "storm", "transport"),
        16,
    ),
    # --- the arts festival --------------------------------------------------------------------
    Item(
        "festival-1",
        "festival",
        "Marrowby arts festival announces line-up",
        "Poets, a string quartet and a puppet theatre are coming.",
        "The arts festival will bring poets, a string quartet and a travelling puppet theatre to Marrowby for "
        "a week in June. Most events are free.",
        ("arts", "festival", "culture"),
        6,
    ),
    Item(
        "festival-2",
        "festival",
        "Library to host festival poetry nights",
        "Readings move to the library after the hall closes.",
        "The festival's poetry readings will take place in the library's reading room, after the town hall "
        "was closed for repairs. Seats are limited to sixty.",
        ("arts", "festival", "library"),
        23,
    ),
    Item(
        "festival-3",
        "festival",
        "Festival tickets sell out in a day",
        "The string quartet's concert is the first to sell out.",
        "Tickets for the arts festival's string quartet concert sold out within a day, and the puppet theatre "
        "shows were close behind. Organisers added a second concert.",
        ("arts", "festival"),
        35,
    ),
    Item(
        "festival-4",
        "festival",
        "Puppet theatre delights festival crowds",
        "Families fill the square for the travelling show.",
        "The travelling puppet theatre drew families to the market square on the arts festival's opening "
        "day, with three shows a day until Sunday.",
        ("arts", "festival", "culture"),
        62,
    ),
    Item(
        "festival-5",
        "festival",
        "Festival closes with quartet and fireworks",
        "A record week of audiences for the arts festival.",
        "The arts festival ended with the string quartet on the quay and fireworks over the harbour. "
        "Organisers counted a record audience across the week.",
        ("arts", "festival", "harbour"),
        68,
    ),
    Item(
        "festival-6",
        "festival",
        "Arts festival wins grant for next year",
        "Funding secures the festival's return.",
        "The arts festival won a culture grant that will pay for next year's poets and musicians, after a "
        "record audience this summer.",
        ("arts", "festival", "culture"),
        110,
    ),
    # --- housing ------------------------------------------------------------------------------
    Item(
        "housing-1",
        "housing",
        "Waiting list for council homes grows",
        "Eight hundred households are waiting for social housing.",
        "The housing waiting list reached eight hundred households, the council said, with young families "
        "waiting longest for homes with three bedrooms.",
        ("housing", "town-council"),
        7,
    ),
    Item(
        "housing-2",
        "housing",
        "Empty shops above high street to become flats",
        "A scheme converts upper floors into homes.",
        "Empty rooms above high street shops will be converted into forty flats for rent under a housing "
        "scheme approved by planners.",
        ("housing", "planning", "business"),
        24,
    ),
    Item(
        "housing-3",
        "housing",
        "Rents rise faster than wages in Marrowby",
        "A report shows housing costs outpacing pay.",
        "Private rents in Marrowby rose twice as fast as wages over five years, a housing charity's report "
        "found, pushing more families onto the waiting list.",
        ("housing", "community"),
        38,
    ),
    Item(
        "housing-4",
        "housing",
        "Council buys land for two hundred homes",
        "Affordable housing planned on the old bus depot.",
        "The council bought the old bus depot to build two hundred affordable homes, half of them for families "
        "on the housing waiting list.",
        ("housing", "town-council", "planning"),
        52,
    ),
    Item(
        "housing-5",
        "housing",
        "Residents question bus depot homes",
        "Neighbours worry about traffic and parking.",
        "Neighbours of the old bus depot asked how two hundred new homes would affect traffic and parking. "
        "Planners promised a new road layout and a play park.",
        ("housing", "planning", "community"),
        75,
    ),
    Item(
        "housing-6",
        "housing",
        "First families move into depot homes",
        "Keys handed over for the first affordable homes.",
        "The first twenty families from the housing waiting list received keys to new homes on the old bus "
        "depot site, two years after the council bought it.",
        ("housing", "town-council"),
        130,
    ),
]

RELATED = {
    item.key: {other.key for other in ITEMS if other.story == item.story and other is not item} for item in ITEMS
}
