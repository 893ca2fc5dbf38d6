# Kuvien omat tekstit suomeksi: kaistojen nimet, otsikot, selitteet.

## Kaistat
lane-goals = Tavoitteet
lane-actions = Toiminta
lane-touchpoints = Kosketus­pisteet
lane-channels = Kanavat
lane-emotions = Tunteet
lane-pain-points = Kipupisteet
lane-moments = Totuuden hetket
lane-opportunities = Mahdollisuudet
lane-owners = Vastuutiimit
lane-kpis = Mittarit

## Kartan tyyppi
kind-current = Nykytila
kind-future = Tavoitetila
kind-day-in-the-life = Päivä elämässä

## Kosketuspisteen tyyppi
touchpoint-digital = Digitaalinen
touchpoint-physical = Fyysinen
touchpoint-analog = Analoginen

## Mahdollisuudet
status-idea = Idea
status-planned = Suunniteltu
status-in-progress = Työn alla
status-done = Valmis
opportunity-value = Arvo
opportunity-effort = Työmäärä

## Mittarit
kpi-layer-user = Käyttäjämittari
kpi-layer-traffic = Liikennemittari
kpi-layer-sales = Myyntimittari
kpi-target = Tavoite { $value }

## Otsikko
header-persona = Persona
header-workspace = Työtila
header-improves = Parantaa karttaa

## Personakortti
persona-label = Ostajapersoona
persona-role = Rooli
persona-age = Ikä
persona-education = Koulutus
persona-reports-to = Raportoi
persona-context = Tausta
persona-judged-by = Työn onnistumisen mittarit
persona-goals = Tavoitteet
persona-dreams = Unelmat
persona-problems = Ongelmat ja haasteet
persona-behaviour = Toimintatavat
persona-motives = Ostomotiivit
persona-information-sources = Luotetut tietolähteet
persona-social-channels = Sosiaalisen median kanavat
persona-objections = Vastaväitteet
customer-type-client = Pitkä asiakassuhde
customer-type-customer = Kertaostaja
customer-type-consumer = Toistuvat ostot

## Lähteet
evidence-count = { $n ->
    [one] 1 lähde
   *[other] { $n } lähdettä
}

## Selite
legend-cited = Perustuu lähteisiin
legend-uncited = Oletus, ei lähdettä
legend-emotion = Tunne –3…+3
legend-negative = kielteinen
legend-neutral = neutraali
legend-positive = myönteinen

## Vertailu
diff-title = Nykytila ja tavoitetila
diff-current = Nykytila
diff-future = Tavoitetila
diff-added = Uusi
diff-removed = Poistuu
diff-changed = Muuttuu
diff-unchanged = Ennallaan
diff-solved = Ratkaistu
diff-kept = Ennallaan
diff-new-pain = Uusi kipupiste
diff-stage-dropped = Vaihe poistuu
diff-stage-new = Uusi vaihe
diff-lane-emotions = Tunnekäyrä
diff-lane-touchpoints = Kosketus­pisteet
diff-lane-pain-points = Kipupisteet
diff-mean = ka.
diff-count-added = { $n } uutta
diff-count-removed = { $n } poistuu
diff-count-changed = { $n } muuttuu
diff-count-solved = { $solved }/{ $total } kipupistettä ratkaistu
diff-field-name = nimi
diff-field-kind = tyyppi
diff-field-channel = kanava
diff-field-format = sisältömuoto
diff-field-owner = omistaja
diff-field-stage = vaihe
diff-field-emotion = tunne
diff-was = { $field }: { $after } (ennen: { $before })
diff-renamed = ennen: { $before }
diff-no-changes = Ei muutoksia

## Raportti
report-contents = Sisällys
report-personas = Ostajapersoonat
report-maps = Asiakaspolut
report-stages = Vaiheet
report-teams = Tiimit
report-no-persona = Ei personaa
report-map-for = Persona

## Kaaviot
chart-no-data = Tähän kaavioon ei ole dataa.
chart-funnel = Suppilo
chart-funnel-sub = Ensimmäisessä vaiheessa { $first }; viimeiseen asti { $share }.
chart-funnel-continue = { $share } jatkaa
chart-funnel-drop = { $n } putoaa ({ $share })
chart-sankey = Polut
chart-sankey-sub = { $n } polun yleisimmät reitit; nauhan leveys on polkujen määrä.
chart-retention = Pysyvyys kohorteittain
chart-retention-sub = { $cohorts } kohorttia ensimmäisen jakson ({ $unit }) mukaan; yhä aktiivisten osuus kunakin seuraavana jaksona.
chart-retention-cohort = Kohortti
chart-retention-note = Sarakkeet: jaksoja ({ $unit }) kohortin ensimmäisestä. Rivin edessä kohortin koko.
chart-unit-day = päivä
chart-unit-week = viikko
chart-unit-month = kuukausi
chart-breakpoints = Katkokset: mikä korjataan ensin
chart-breakpoints-sub = Missä asiakkaita putoaa tai viipyy odotettua enemmän, menetetyn arvon mukaan (menetetyt asiakkaat × konversio eteenpäin × keskiarvo).
chart-breakpoints-sub-customers = Missä asiakkaita putoaa odotettua enemmän, menetettyjen konversioiden mukaan (datassa ei ole arvoja).
chart-breakpoints-none = Missään vaiheessa tai kosketuspisteessä ei putoa odotettua enempää asiakkaita.
chart-breakpoints-left = { $reached } saavutti, { $rate } putosi
chart-breakpoints-expected = odotettu { $rate }
chart-breakpoints-customers = { $n } asiakasta
chart-breakpoints-sub-currencies = Missä asiakkaita putoaa odotettua enemmän, menetettyjen konversioiden mukaan: arvot ovat eri valuutoissa ({ $currencies }), eikä niitä lasketa yhteen.
chart-breakpoints-before = edellinen jakso { $rate }
chart-breakpoints-others = muut personat { $rate }
chart-breakpoints-flag-previous = yli edellisen jakson
chart-breakpoints-flag-personas = yli muiden personien
chart-breakpoints-flag-both = yli molempien
chart-breakpoints-stall = vaiheessa { $now }, odotettu { $expected }
chart-breakpoints-slower = odotettua hitaampi
chart-breakpoints-no-persona = ei personaa
chart-distributions = Aika ja kosketuspisteet ostoon
chart-distributions-sub = { $n } konvertoitunutta asiakasta.
chart-days = päivää ensikosketuksesta
chart-reference = kyselyt: { $share }
chart-time-to-conversion = Aika ensikosketuksesta ostoon
chart-touchpoints-before = Kosketuspisteitä ennen ostoa
chart-month-or-more = kuukausi tai enemmän: { $share }
chart-three-or-more = 3 tai enemmän: { $share }
chart-six-or-more = 6 tai enemmän: { $share }
chart-emotion = Tunnekäyrä haastatteluista
chart-emotion-sub = Vaiheen keskiarvo ja keskihajonnan levyinen nauha; enintään { $n } haastattelua vaihetta kohden.
chart-emotion-unbacked = ei haastatteluja
chart-emotion-n = { $n ->
    [one] 1 haastattelu
   *[other] { $n } haastattelua
}
chart-emotion-mean = Haastattelut, keskiarvo
chart-emotion-spread = Hajonta ± 1 kh
chart-emotion-map = Kartan omat arviot

## Mitattu kartta
lane-measured = Mitattu
data-reached = { $n } asiakasta
data-conversion = { $share } seuraavaan vaiheeseen
data-drop = { $share } putoaa
data-events = { $count ->
    [one] 1 tapahtuma
   *[other] { $n } tapahtumaa
}
data-trend = { $share } edelliseen jaksoon
data-unbound = ei mitattu
evidence-interviews = { $count ->
    [one] 1 haastattelu
   *[other] { $n } haastattelua
}
evidence-rows = { $count ->
    [one] 1 datarivi
   *[other] { $n } datariviä
}
evidence-none = ei näyttöä
header-measured = Mitattu
legend-interview-mean = Haastattelut, keskiarvo
legend-interview-spread = Hajonta ± 1 kh
legend-map-emotion = Kartan arviot

## Elävän kartan raportti
report-living-map = Elävä kartta
report-measured-journey = Mitattu polku
report-period = Jakso
report-persona = Persona
report-all-personas = kaikki asiakkaat
report-events = Tapahtumat
report-customers = Asiakkaat
report-touchpoint = Kosketuspiste
report-stage = Vaihe
report-reached = Saavutti
report-conversion = Seuraavaan vaiheeseen
report-drop-off = Putoaa
report-trend = Suunta
report-no-events = Tapahtumia ei ole vielä tuotu: aja `polku import events TIEDOSTO` ja tee raportti uudelleen.
report-unbound = Tämän kartan kosketuspisteillä ei ole `match`-sääntöjä, joten karttaa ei mitata.
report-unmatched = { $n } / { $total } tapahtumasta ei vastaa mitään tämän kartan kosketuspistettä.
report-interviews = Haastattelut
report-not-measured = ei mitattu
## Attribuutio
attribution-title = Attribuutio malleittain
attribution-share-conversions = Kunkin kanavan osuus konversioista kunkin mallin mukaan
attribution-share-value = Kunkin kanavan osuus konversioiden arvosta kunkin mallin mukaan
attribution-empty = Ei attribuoitavia konversioita
attribution-model-first = Ensimmäinen kosketus
attribution-model-last = Viimeinen kosketus
attribution-model-last-non-direct = Viimeinen ei-suora kosketus
attribution-model-linear = Lineaarinen
attribution-model-time-decay = Aikavaimeneva
attribution-model-position = Sijaintipohjainen
attribution-model-markov = Markov (poistovaikutus)
attribution-model-shapley = Shapley
attribution-model-shapley-ordered = Järjestetty Shapley
attribution-model-fractribution = Fractribution
attribution-model-survey = Oma ilmoitus (kysely)
attribution-channel = Kanava
attribution-total = Yhteensä
attribution-summary = { $journeys } polkua, { $conversions } konversiota ({ $conversion }). Kosketus on käynti kanavaryhmänsä nimellä; konvertoitumattomat polut ovat mukana datavetoisissa malleissa.
attribution-conversions-caption = Kullekin kanavalle hyvitetyt konversiot malleittain
attribution-spend = Kulut
attribution-leads = Liidit
attribution-cost-per-lead = Per liidi
attribution-cpa-caption = Jakson mainoskulut ja kustannus konversiota kohden (CPA) kunkin mallin mukaan
attribution-roas-caption = Mainoskulujen tuotto (ROAS) kunkin mallin mukaan: hyvitetty konversioarvo kuluyksikköä kohden
attribution-spend-persona = Kulut ovat kanavan koko mainoskulut; hyvitys on vain persoonan polkujen.
attribution-no-paths = Jakson konversioilla ei ole edeltäviä kosketuksia, joten attribuoitavaa ei ole.
attribution-answers = Vastaukset
attribution-answer-share = Kertoi
attribution-agreement = Yhtäpitävyys
attribution-survey-caption = Oma ilmoitus ja seuranta: kunkin kanavan maininneiden kyselyvastaajien osuus ("mistä kuulit meistä?") kunkin mallin hyvitysosuuden rinnalla; yhtäpitävyys on se osuus hyvityksestä, joka osuu vastaajien kertomiin kanaviin
