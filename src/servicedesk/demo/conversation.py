"""What the desk and its customers say in the demo's conversations.

Replies to customers are in the customer's language (falling back to English); internal
notes, status notes and priority justifications are staff-facing and in English.
"""

# Conversation, by language. {first} is the contact's first name, {agent} the agent's.
PHRASES: dict[str, dict[str, list[str]]] = {
    "ack": {
        "nl": [
            "Beste {first}, dank voor je melding. Ik ga ermee aan de slag en laat je vandaag "
            "nog weten wat ik gevonden heb.\n\nGroet, {agent}",
            "Hoi {first}, ik heb je melding opgepakt en kijk er nu naar.\n\n{agent}",
        ],
        "en": [
            "Dear {first}, thank you for your report. I am looking into it and will update "
            "you today.\n\nKind regards, {agent}",
            "Hi {first}, I have picked up your ticket and am on it.\n\n{agent}",
        ],
        "fr": [
            "Bonjour {first}, merci pour votre demande. Je l'analyse et reviens vers vous "
            "aujourd'hui.\n\nCordialement, {agent}"
        ],
    },
    "ask_info": {
        "nl": [
            "Om dit te kunnen onderzoeken heb ik wat meer nodig: in welke administratie "
            "speelt het, bij welke gebruikers, en kun je een schermafbeelding van de "
            "foutmelding sturen?\n\n{agent}",
            "Kun je de stappen beschrijven waarmee we het kunnen nabootsen?\n\n{agent}",
        ],
        "en": [
            "To investigate I need a bit more: which company, which users, and could you "
            "send a screenshot of the error?\n\n{agent}",
            "Could you describe the steps to reproduce this?\n\n{agent}",
        ],
        "fr": [
            "Pour analyser, il me faut quelques précisions : quelle société, quels "
            "utilisateurs, et une capture d'écran du message d'erreur ?\n\n{agent}"
        ],
    },
    "info": {
        "nl": [
            "Het gaat om administratie 01, gebruikers Jan en Petra. Screenshot zit erbij.",
            "Stappen: order openen, regel toevoegen, opslaan. Dan komt de fout.",
        ],
        "en": [
            "It is company 01, users Jan and Petra. Screenshot attached.",
            "Steps: open the order, add a line, save. Then the error appears.",
        ],
        "fr": [
            "Il s'agit de la société 01, utilisateurs Marc et Léa. Capture jointe.",
            "Étapes : ouvrir la commande, ajouter une ligne, enregistrer.",
        ],
    },
    "nudge": {
        "nl": ["Is hier al iets over bekend?", "Graag een update, dit houdt ons op."],
        "en": ["Any news on this?", "Please give us an update, this is holding us up."],
        "fr": ["Avez-vous des nouvelles ?", "Merci de nous tenir informés, cela nous bloque."],
    },
    "workaround": {
        "nl": [
            "Als tijdelijke oplossing kun je de functie via het menu Extra > Opnieuw "
            "verwerken starten. We werken aan een structurele oplossing.\n\n{agent}"
        ],
        "en": [
            "As a workaround you can run Tools > Reprocess. We are working on a "
            "structural fix.\n\n{agent}"
        ],
        "fr": [
            "En contournement, vous pouvez lancer Outils > Retraiter. Nous travaillons "
            "à une correction définitive.\n\n{agent}"
        ],
    },
    "solution": {
        "nl": [
            "De oorzaak was een instelling in de periodetabel. Ik heb die aangepast; wil "
            "je controleren of het nu goed gaat?\n\n{agent}",
            "Er staat een hotfix klaar die het probleem verhelpt; die is vannacht "
            "geïnstalleerd. Laat je weten of het werkt?\n\n{agent}",
            "Je vraag: dit kan via Instellingen > Documenten > Verzendwijze. Ik heb een "
            "kennisartikel met de stappen bijgevoegd.\n\n{agent}",
        ],
        "en": [
            "The cause was a setting in the period table. I corrected it; could you "
            "check that it works now?\n\n{agent}",
            "A hotfix that solves this was installed last night. Does it work for you?\n\n{agent}",
            "You can do this under Settings > Documents > Delivery method. I attached a "
            "knowledge article with the steps.\n\n{agent}",
        ],
        "fr": [
            "La cause était un paramètre de la table des périodes. Je l'ai corrigé ; "
            "pouvez-vous vérifier ?\n\n{agent}",
            "Un correctif a été installé cette nuit. Pouvez-vous confirmer que cela "
            "fonctionne ?\n\n{agent}",
        ],
    },
    "confirm": {
        "nl": ["Het werkt weer, dank je wel!", "Bevestigd, opgelost. Melding mag dicht."],
        "en": ["It works again, thank you!", "Confirmed, solved. You can close the ticket."],
        "fr": ["Cela fonctionne à nouveau, merci !", "Confirmé, vous pouvez clôturer."],
    },
    "reopen": {
        "nl": ["Helaas, het probleem doet zich sinds vanochtend opnieuw voor."],
        "en": ["Unfortunately the problem is back since this morning."],
        "fr": ["Malheureusement, le problème est réapparu ce matin."],
    },
    "supplier": {
        "nl": [
            "De oorzaak ligt bij onze leverancier {supplier}. We hebben de melding daar "
            "uitgezet onder referentie {reference} en houden je op de hoogte.\n\n{agent}"
        ],
        "en": [
            "The cause lies with our supplier {supplier}. We reported it to them under "
            "reference {reference} and will keep you posted.\n\n{agent}"
        ],
        "fr": [
            "La cause se situe chez notre fournisseur {supplier}. Nous lui avons transmis "
            "la demande (référence {reference}) et vous tiendrons informés.\n\n{agent}"
        ],
    },
    "parked": {
        "nl": [
            "Dank voor je wens. Ik heb hem doorgezet naar je accountmanager en onze "
            "product owner; de melding staat geparkeerd tot er een besluit is.\n\n{agent}"
        ],
        "en": [
            "Thank you for the request. I passed it to your account manager and our "
            "product owner; the ticket is parked until they decide.\n\n{agent}"
        ],
        "fr": [
            "Merci pour votre demande. Je l'ai transmise à votre responsable de compte et "
            "au product owner ; elle est en attente de décision.\n\n{agent}"
        ],
    },
    "proposal": {
        "nl": [
            "In de bijlage ons voorstel (aanpak, planning en kosten: 6 uur). Graag binnen "
            "5 werkdagen akkoord of feedback van de key users.\n\n{agent}"
        ],
        "en": [
            "Attached is our proposal (approach, planning and cost: 6 hours). Please let "
            "us know within 5 working days after your key users reviewed it.\n\n{agent}"
        ],
        "fr": [
            "Vous trouverez notre proposition (approche, planning, coût : 6 heures). "
            "Merci de nous répondre sous 5 jours ouvrés.\n\n{agent}"
        ],
    },
    "accept": {
        "nl": ["Akkoord met het voorstel, graag inplannen."],
        "en": ["We accept the proposal, please schedule it."],
        "fr": ["Proposition acceptée, merci de planifier."],
    },
    "planning": {
        "nl": [
            "Dit valt buiten de scope van support (maatwerk/consultancy). Onze planning "
            "neemt contact met je op om dit in te plannen.\n\n{agent}"
        ],
        "en": [
            "This is outside the scope of support (consultancy). Our planning department "
            "will contact you to schedule it.\n\n{agent}"
        ],
        "fr": [
            "Cette demande sort du périmètre de la maintenance et sera facturée en régie. "
            "Notre planification vous contactera.\n\n{agent}"
        ],
    },
    "outage": {
        "nl": [
            "Er is een storing bij ons datacenter; alle klanten op dit platform zijn "
            "geraakt. Volgende update uiterlijk over 2 uur.\n\n{agent}"
        ],
        "en": [
            "There is a disruption at our data centre affecting all customers on this "
            "platform. Next update within 2 hours.\n\n{agent}"
        ],
        "fr": [
            "Une panne touche notre centre de données et tous les clients de la "
            "plateforme. Prochaine information d'ici 2 heures.\n\n{agent}"
        ],
    },
    "duplicate": {
        "nl": ["Dit is dezelfde melding als {number}; we behandelen het daar verder.\n\n{agent}"],
        "en": ["This is the same issue as {number}; we continue there.\n\n{agent}"],
        "fr": ["Il s'agit du même problème que {number} ; nous le traitons là-bas.\n\n{agent}"],
    },
    "complaint": {
        "nl": [
            "Beste {first}, dank voor je duidelijke terugkoppeling. Ik heb de gang van "
            "zaken uitgezocht en bel je morgen om de afspraken door te nemen.\n\n{agent}, "
            "service manager"
        ],
        "en": [
            "Dear {first}, thank you for the clear feedback. I looked into what happened "
            "and will call you tomorrow to agree on next steps.\n\n{agent}, service manager"
        ],
        "fr": [
            "Bonjour {first}, merci pour votre retour. J'ai analysé la situation et vous "
            "appelle demain pour convenir de la suite.\n\n{agent}, service manager"
        ],
    },
}

NOTES = {
    "investigate": [
        "Reproduced on the test environment with a copy of company 01.",
        "Not reproducible on our side; checking the customer's settings.",
        "Same symptom as last month at another customer, see knowledge article KB-112.",
        "Looked at the logs: time-out on the database side around 09:12.",
    ],
    "escalate": [
        "Product defect: escalated to line 3 for a hotfix.",
        "Customisation issue within warranty and against specification: at our cost, line 3.",
        "Needs a developer: the query behind this report is wrong.",
    ],
    "hotfix": [
        "Hotfix placed on the test environment for verification by support and the CPC.",
        "Fix merged; goes out with tonight's patch.",
    ],
    "handover": [
        "Handing over: I am out tomorrow, {agent} takes it from here.",
        "Handover to {agent}, who knows this module best.",
    ],
    "supplier": [
        "Logged at {supplier} under {reference}; they confirmed receipt.",
        "{supplier} asked for log files; sent them under {reference}.",
    ],
    "billable": [
        "User error; billable according to the maintenance terms. Informed account manager.",
        "Outside maintenance (data modification): billable, consultancy hours.",
    ],
    "sev1": ["Service manager informed: the ticket has the highest priority."],
    "parked": ["Forwarded to account manager and product owner for a decision."],
    "duplicate": ["Same issue as {number}; closing this one as a duplicate."],
    "split": ["New question in an old ticket: split off from {number}."],
    "outage": ["Part of the data-centre outage; linked to {number}."],
}

RAISE = [
    "Whole team blocked during month-end close: raised.",
    "Primary process at a standstill for several users: raised.",
    "Deadline with the tax office on Friday: raised.",
]
LOWER = [
    "Only one user affected and a workaround exists: lowered.",
    "Cosmetic issue, no business impact: lowered.",
    "Question, not a disruption: lowered.",
]

CLOSE_NOTES = {
    "confirmed": "Solution confirmed by the customer.",
    "answered": "Question answered.",
    "auto_solution": "Closed automatically: no reaction to the offered solution within 3 weeks.",
    "auto_waiting": "Closed automatically: no reaction within 3 weeks after two reminders.",
    "planning": "Forwarded to planning for billable consultancy.",
    "rejected": "Change request rejected by the product owner; customer informed.",
    "released": "Change released in version 2024.4; customer informed.",
    "complaint": "Complaint discussed with the customer and follow-up agreed.",
    "duplicate": "Duplicate of {number}.",
    "outage": "Outage resolved: storage fail-over at the data centre. Cause shared.",
}
SOLUTION_NOTES = [
    "Solution offered: setting corrected.",
    "Solution offered: hotfix installed.",
    "Workaround and structural fix offered.",
    "Answer given with knowledge article.",
]
WAITING_NOTES = ["Asked the customer for information.", "Waiting for the steps to reproduce."]
