"""Built-in German, French, Spanish, Italian and Dutch word lists and a small grammar.

They make the sample's non-English pages: ordinary prose with each language's own
function words, so langdetect names the language. Noun phrases carry their article
(which sidesteps gender agreement) and adjectives are used predicatively.
"""

from __future__ import annotations

import random

LANGUAGES = {
    "de": {
        "nouns": "der Bahnhof|die Stadt|das Rathaus|der Bürgermeister|die Schule|der Garten|"
                 "die Brücke|das Museum|der Markt|die Bäckerei|der Verein|die Zeitung|"
                 "das Konzert|der Wald|die Kirche|das Fahrrad|der Nachbar|die Familie|"
                 "der Lehrer|die Regierung|das Gesetz|der Sommer|die Wohnung|das Dorf",
        "verbs": "besuchte|kritisierte|eröffnete|plante|beschrieb|unterstützte|baute|"
                 "verkaufte|fand|reparierte|lobte|veröffentlichte|untersuchte|feierte",
        "adjectives": "neu|alt|klein|groß|ruhig|teuer|wichtig|schwierig|freundlich|"
                      "modern|bekannt|seltsam|schön|langsam",
        "adverbs": "gestern|heute|schnell|endlich|leider|wieder|sofort|kaum|oft|damals",
        "templates": ["{NP} {V} {np} {ADV}.", "Am Montag {V} {np} auch {np}.",
                      "{NP} ist sehr {A}, und {np} ist nicht {A}.",
                      "Nach Angaben der Polizei {V} {np} {np} mit {np}.",
                      "Deshalb {V} {np} {np} noch {ADV}.", "Ich glaube, dass {np} {A} ist."],
    },
    "fr": {
        "nouns": "la gare|la ville|le maire|l'école|le jardin|le pont|le musée|le marché|"
                 "la boulangerie|le journal|le concert|la forêt|l'église|le vélo|le voisin|"
                 "la famille|le professeur|le gouvernement|la loi|l'été|le village|"
                 "la rue|le quartier|la bibliothèque",
        "verbs": "a visité|a critiqué|a ouvert|a préparé|a décrit|a soutenu|a construit|"
                 "a vendu|a trouvé|a réparé|a publié|a examiné|a célébré|a annoncé",
        "adjectives": "nouveau|ancien|petit|grand|calme|cher|important|difficile|"
                      "célèbre|étrange|moderne|lent|agréable|populaire",
        "adverbs": "hier|aujourd'hui|rapidement|enfin|souvent|encore|déjà|toujours|"
                   "vraiment|ensuite",
        "templates": ["{NP} {V} {np} {ADV}.", "Selon les habitants, {np} {V} {np} avec {np}.",
                      "{NP} est très {A}, mais {np} n'est pas {A}.",
                      "Pendant la semaine, {np} {V} aussi {np}.",
                      "Je pense que {np} est {A} et que {np} {V} {np}.",
                      "C'est pourquoi {np} {V} {np} dans {np}."],
    },
    "es": {
        "nouns": "la estación|la ciudad|el alcalde|la escuela|el jardín|el puente|el museo|"
                 "el mercado|la panadería|el periódico|el concierto|el bosque|la iglesia|"
                 "la bicicleta|el vecino|la familia|el profesor|el gobierno|la ley|el verano|"
                 "el pueblo|la calle|el barrio|la biblioteca",
        "verbs": "visitó|criticó|abrió|preparó|describió|apoyó|construyó|vendió|encontró|"
                 "reparó|publicó|examinó|celebró|anunció",
        "adjectives": "nuevo|antiguo|pequeño|grande|tranquilo|caro|importante|difícil|"
                      "famoso|extraño|moderno|lento|agradable|popular",
        "adverbs": "ayer|hoy|rápidamente|finalmente|a menudo|otra vez|ya|siempre|"
                   "realmente|después",
        "templates": ["{NP} {V} {np} {ADV}.", "Según los vecinos, {np} {V} {np} con {np}.",
                      "{NP} es muy {A}, pero {np} no es {A}.",
                      "Durante la semana, {np} también {V} {np}.",
                      "Creo que {np} es {A} y que {np} {V} {np}.",
                      "Por eso {np} {V} {np} en {np}."],
    },
    "it": {
        "nouns": "la stazione|la città|il sindaco|la scuola|il giardino|il ponte|il museo|"
                 "il mercato|la panetteria|il giornale|il concerto|il bosco|la chiesa|"
                 "la bicicletta|il vicino|la famiglia|il professore|il governo|la legge|"
                 "l'estate|il paese|la strada|il quartiere|la biblioteca",
        "verbs": "ha visitato|ha criticato|ha aperto|ha preparato|ha descritto|ha sostenuto|"
                 "ha costruito|ha venduto|ha trovato|ha riparato|ha pubblicato|"
                 "ha esaminato|ha festeggiato|ha annunciato",
        "adjectives": "nuovo|antico|piccolo|grande|tranquillo|caro|importante|difficile|"
                      "famoso|strano|moderno|lento|piacevole|popolare",
        "adverbs": "ieri|oggi|rapidamente|finalmente|spesso|ancora|già|sempre|davvero|poi",
        "templates": ["{NP} {V} {np} {ADV}.", "Secondo gli abitanti, {np} {V} {np} con {np}.",
                      "{NP} è molto {A}, ma {np} non è {A}.",
                      "Durante la settimana, {np} {V} anche {np}.",
                      "Penso che {np} sia {A} e che {np} {V} {np}.",
                      "Per questo {np} {V} {np} nel centro."],
    },
    "nl": {
        "nouns": "het station|de stad|de burgemeester|de school|de tuin|de brug|het museum|"
                 "de markt|de bakkerij|de krant|het concert|het bos|de kerk|de fiets|"
                 "de buurman|de familie|de leraar|de regering|de wet|de zomer|het dorp|"
                 "de straat|de wijk|de bibliotheek",
        "verbs": "bezocht|bekritiseerde|opende|plande|beschreef|steunde|bouwde|verkocht|"
                 "vond|repareerde|publiceerde|onderzocht|vierde|kondigde aan",
        "adjectives": "nieuw|oud|klein|groot|rustig|duur|belangrijk|moeilijk|beroemd|"
                      "vreemd|modern|langzaam|gezellig|populair",
        "adverbs": "gisteren|vandaag|snel|eindelijk|vaak|opnieuw|al|altijd|echt|daarna",
        "templates": ["{NP} {V} {np} {ADV}.", "Volgens de bewoners {V} {np} {np} met {np}.",
                      "{NP} is erg {A}, maar {np} is niet {A}.",
                      "Tijdens de week {V} {np} ook {np}.",
                      "Ik denk dat {np} {A} is en dat {np} het ook weet.",
                      "Daarom {V} {np} {np} in het centrum."],
    },
}

TITLES = {"de": "Nachrichten aus", "fr": "Nouvelles de", "es": "Noticias de",
          "it": "Notizie da", "nl": "Nieuws uit"}
PLACES = "Altenburg Valmont Sierra Alta Montefiore Zandvoort Rosenheim Belcourt Lucena".split()


def foreign_article(rng: random.Random, language: str, target_words: int) -> tuple[str, list[str]]:
    """A title and paragraphs of about ``target_words`` words in ``language``."""
    lexicon = {key: value.split("|") for key, value in LANGUAGES[language].items()
               if key != "templates"}
    templates = LANGUAGES[language]["templates"]

    def sentence() -> str:
        text = rng.choice(templates)
        slots = {"{NP}": "nouns", "{np}": "nouns", "{V}": "verbs", "{A}": "adjectives",
                 "{ADV}": "adverbs"}
        for slot, key in slots.items():
            while slot in text:
                text = text.replace(slot, rng.choice(lexicon[key]), 1)
        return text[:1].upper() + text[1:]

    title = f"{TITLES[language]} {rng.choice(PLACES)}"
    paragraphs, count = [], 0
    while count < target_words:
        paragraph = " ".join(sentence() for _ in range(rng.randint(3, 6)))
        paragraphs.append(paragraph)
        count += len(paragraph.split())
    return title, paragraphs
