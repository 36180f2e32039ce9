"""The built-in English vocabulary of the sample corpus, written for this project.

Words are grouped by grammatical role (and nouns also by topic) so that
``sample_text`` can fill sentence templates. The lists are long on purpose: articles
drawn from them must not share 13-word sequences by accident, and one article must not
repeat 5-word sequences often enough to look like boilerplate to the repetition filter.
"""

TOPIC_NOUNS = {
    "city": "council budget tram harbour district library bridge mayor bakery market "
            "neighbourhood playground pavement ferry museum stadium tenant landlord "
            "zoning festival courthouse fountain alley cinema",
    "science": "telescope enzyme protein galaxy sample microscope laboratory fossil "
               "particle molecule hypothesis satellite glacier volcano comet bacterium "
               "genome crystal orbit reactor specimen algorithm sensor",
    "food": "recipe kitchen sourdough orchard vineyard harvest chef broth pastry spice "
            "tomato lentil cheese dumpling noodle apricot oven skillet marinade pantry "
            "saffron chutney omelette granary",
    "sport": "coach striker goalkeeper league tournament referee marathon stadium "
             "cyclist rower sprinter season trophy penalty midfielder captain rivalry "
             "locker scoreboard relay racket paddock",
    "business": "startup investor merger warehouse supplier invoice retailer factory "
                "shareholder quarter forecast payroll franchise logistics contract "
                "inventory auditor brand customer tariff freight dividend",
    "travel": "itinerary hostel railway passport island lighthouse trail ferry valley "
              "monastery canyon lagoon caravan airport cabin glacier coastline summit "
              "bazaar village harbour cathedral guesthouse",
    "health": "clinic nurse vaccine therapy patient hospital diet symptom surgeon "
              "pharmacy midwife ambulance remedy allergy vitamin checkup injury "
              "physiotherapist ward prescription pulse posture",
    "technology": "laptop server router database browser firmware smartphone processor "
                  "keyboard network software update battery camera printer robot drone "
                  "chip compiler terminal dashboard backup",
    "music": "orchestra violin drummer album chorus melody concert guitarist rehearsal "
             "studio composer saxophone symphony lyric playlist quartet ballad "
             "conductor amplifier encore festival tempo",
    "garden": "greenhouse hedge compost seedling tulip beehive lawn trellis orchard "
              "shovel fern sunflower hose shed pond meadow wheelbarrow mulch vine "
              "pumpkin blossom thistle",
}

GENERAL_NOUNS = (
    "plan report decision question answer problem solution idea story project change "
    "result effort proposal meeting debate letter survey study method system process "
    "policy model standard approach strategy pattern trend figure document schedule "
    "budget review account record estimate measure detail feature option choice "
    "benefit risk cost price value quality source resource tool device machine "
    "building road river field forest mountain coast lake window door roof wall floor "
    "garden street square corner station office school college workshop campaign "
    "network community audience visitor neighbour volunteer committee family crowd "
    "generation tradition habit memory lesson warning promise rumour surprise "
    "celebration argument agreement difference effect impact reason purpose moment "
    "evening morning weekend winter summer autumn spring journey voyage route map "
    "photograph painting sculpture poem novel film series episode chapter headline"
).split()

ADJECTIVES = (
    "new old small large quiet busy careful modest ambitious local regional national "
    "early late recent ancient modern simple complex bright dark narrow broad steep "
    "gentle rough smooth heavy light fresh stale warm cold wet dry green golden silver "
    "wooden stone brick glass crowded empty famous obscure popular rare common strange "
    "familiar curious patient anxious cheerful stubborn generous clever honest "
    "practical detailed rapid slow sudden gradual steady fragile sturdy hidden visible "
    "elegant plain colourful pale noisy silent northern southern eastern western "
    "coastal rural urban seasonal weekly annual temporary permanent public private "
    "independent expensive affordable generous useful reliable unusual remarkable "
    "promising difficult delicate vivid faded humble proud distant nearby"
).split()

# (base form, past tense): narration uses the past, modal sentences the base form.
VERBS = [tuple(pair.split(":")) for pair in (
    "build:built repair:repaired open:opened close:closed study:studied visit:visited "
    "describe:described explain:explained test:tested measure:measured plan:planned "
    "support:supported question:questioned approve:approved reject:rejected "
    "design:designed improve:improved replace:replaced collect:collected "
    "publish:published record:recorded share:shared welcome:welcomed prepare:prepared "
    "organise:organised discover:discovered examine:examined protect:protected "
    "restore:restored expand:expanded reduce:reduced change:changed follow:followed "
    "review:reviewed praise:praised criticise:criticised announce:announced "
    "compare:compared deliver:delivered sell:sold buy:bought find:found keep:kept "
    "bring:brought teach:taught lead:led draft:drafted paint:painted move:moved "
    "clean:cleaned launch:launched fund:funded host:hosted join:joined leave:left "
    "adopt:adopted borrow:borrowed rebuild:rebuilt sketch:sketched map:mapped "
    "inspect:inspected celebrate:celebrated photograph:photographed translate:translated "
    "rescue:rescued gather:gathered assemble:assembled polish:polished plant:planted "
    "track:tracked survey:surveyed ship:shipped rent:rented"
).split()]

INTRANSITIVE = [tuple(pair.split(":")) for pair in (
    "arrive:arrived wait:waited grow:grew shrink:shrank improve:improved fail:failed "
    "succeed:succeeded return:returned disappear:disappeared change:changed "
    "recover:recovered struggle:struggled gather:gathered travel:travelled "
    "rise:rose fall:fell settle:settled continue:continued expand:expanded "
    "pause:paused hesitate:hesitated"
).split()]

ADVERBS = (
    "quickly slowly carefully quietly openly eventually finally recently suddenly "
    "gradually repeatedly briefly warmly firmly proudly reluctantly happily "
    "patiently frankly deliberately easily barely nearly steadily cautiously "
    "unexpectedly regularly rarely seldom often"
).split()

ROLES = (
    "residents officials teachers engineers farmers students researchers volunteers "
    "visitors critics shopkeepers drivers nurses musicians parents neighbours "
    "reporters historians planners architects builders fishermen gardeners "
    "scientists managers workers owners tenants pupils pensioners cyclists "
    "organisers inspectors editors designers bakers climbers surveyors"
).split()

FIRST_NAMES = (
    "Anna Ben Clara Daniel Elena Farid Grace Hugo Ines Jonas Keiko Liam Maya Nikhil "
    "Olga Pablo Quinn Rosa Samir Tessa Umar Vera Wesley Xenia Yusuf Zoe Amir Bianca "
    "Colin Dara Emil Freya Gideon Hana Ivan Jade Kofi Lena Marco Nadia Oscar Priya "
    "Rafael Sofia Tomas Una Victor Wanda Yara"
).split()

LAST_NAMES = (
    "Adler Brooks Castillo Dunne Eriksen Fischer Garcia Holm Ibrahim Jensen Kowalski "
    "Lindqvist Moreau Novak Okafor Petrov Quaresma Rossi Sato Tanaka Ulrich Varga "
    "Whitfield Yilmaz Zhang Abbott Barros Carver Delgado Ellison Ferreira Gallagher "
    "Hartmann Iqbal Jovanovic Kearney Lambert Mendes Nakamura Oduya Pritchard"
).split()

PLACES = (
    "Ashford Brightwater Calder Dunmore Elmsworth Fairhaven Glenrock Harwick "
    "Ironbridge Juniper Falls Kingsmere Larkhill Millbrook Northam Oakridge Pembury "
    "Queensport Ravensholm Stonebury Thornfield Upton Valewood Westmarch Yarrow "
    "Zennor Alderley Blackmoor Coldharbour Deepdale Eastwick"
).split()

TIME_PHRASES = [
    "last week", "on Monday", "on Tuesday evening", "earlier this month", "in March",
    "in the spring", "last autumn", "over the weekend", "two years ago", "in June",
    "after the holidays", "since January", "by the end of the year", "this morning",
    "late on Friday", "in the summer of 2019", "during the winter", "in recent months",
]

CONNECTORS = [
    "However,", "Meanwhile,", "At the same time,", "Even so,", "In practice,",
    "For now,", "Still,", "By contrast,", "Later,", "In the end,", "Since then,",
    "Above all,", "Until recently,", "Not surprisingly,", "Elsewhere,", "In fact,",
]

# Pure function words; the stop-word rule of the quality filter needs some of them.
PREPOSITIONS = "near behind beside across around inside outside beyond along under".split()
