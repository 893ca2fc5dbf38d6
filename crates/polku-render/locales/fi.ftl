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
