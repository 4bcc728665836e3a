<?php
// This file is part of Moodle - https://moodle.org/
//
// Moodle is free software: you can redistribute it and/or modify
// it under the terms of the GNU General Public License as published by
// the Free Software Foundation, either version 3 of the License, or
// (at your option) any later version.
//
// Moodle is distributed in the hope that it will be useful,
// but WITHOUT ANY WARRANTY; without even the implied warranty of
// MERCHANTABILITY or FITNESS FOR A PARTICULAR PURPOSE.  See the
// GNU General Public License for more details.
//
// You should have received a copy of the GNU General Public License
// along with Moodle.  If not, see <https://www.gnu.org/licenses/>.

/**
 * Chaînes françaises de local_coursenotification.
 *
 * @package    local_coursenotification
 * @category   string
 * @copyright  2026 CourseNotification contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */

defined('MOODLE_INTERNAL') || die();

$string['acknowledge'] = 'J\'ai pris connaissance';
$string['acknowledged'] = 'Avertissement pris en compte.';
$string['backfill_done'] = 'Terminé : {$a->count} cours ({$a->when})';
$string['backfill_partial'] = 'Arrêté au cours {$a->index} sur {$a->count}, page {$a->page} ({$a->when}) : relancez cli/backfill.php avec les mêmes options pour reprendre';
$string['batchsize'] = 'Taille des lots';
$string['batchsize_desc'] = 'Événements par envoi (1 à 1000), et inscriptions par envoi lors d\'un rattrapage.';
$string['block_due'] = '{$a} à envoyer';
$string['block_failed'] = '{$a} en échec';
$string['block_notknown'] = 'Ce cours n\'est pas encore connu de CourseNotification (il arrive avec sa première inscription, ou par un rattrapage).';
$string['block_open'] = 'Ouvrir les pages CourseNotification de ce cours';
$string['block_scheduled'] = '{$a} cette semaine';
$string['block_sent'] = '{$a} envoyés';
$string['block_unreachable'] = 'Les compteurs ne peuvent pas être lus pour le moment (réponse du service : {$a}).';
$string['cachedef_counts'] = 'Compteurs CourseNotification par cours, pour le bloc';
$string['check_backlog'] = '{$a->count} événements en attente ; le plus ancien depuis {$a->age}. Le service est peut-être injoignable : voir la page d\'état.';
$string['check_dropped'] = '{$a} événements non livrés ont été supprimés par la limite d\'âge. Lancez le rattrapage dès que le service est joignable, puis confirmez sur la page d\'état.';
$string['check_notconfigured'] = 'Aucune adresse de service : rien n\'est enregistré ni envoyé.';
$string['check_ok'] = 'Livraison en cours ; {$a} événements en attente.';
$string['check_outbox'] = 'File d\'envoi CourseNotification';
$string['cli_backfill_help'] = 'Envoie l\'état complet des cours (inscriptions avec dates et statut, personnes, achèvement, dernier accès) au service CourseNotification, par pages d\'inscriptions.

Options :
  -c, --course=ID   un cours
  -a, --all         tous les cours concernés (voir le réglage « Cours »)
  -n, --dry-run     prépare les pages et affiche leur taille, n\'envoie rien
      --perpage=N   inscriptions par envoi (par défaut : la taille des lots)
      --restart     recommence au début au lieu de reprendre une exécution interrompue du même type
  -h, --help        cette aide

Une exécution interrompue (service arrêté, Ctrl+C) reprend à la page où elle s\'est arrêtée quand on la relance avec les mêmes options.

Exemple :
  php local/coursenotification/cli/backfill.php --all';
$string['cli_done'] = 'Terminé : {$a->courses} cours, {$a->enrolments} inscriptions en {$a->seconds} s.';
$string['cli_nocourse'] = 'Aucun cours avec l\'identifiant {$a}.';
$string['cli_resuming'] = 'Reprise au cours {$a->course} ({$a->index} sur {$a->count}), page {$a->page}.';
$string['cli_stopped'] = 'Arrêt : {$a}. Relancez la même commande pour reprendre à cette page.';
$string['coursenode'] = 'Notifications du cours';
$string['coursenotification:manage'] = 'Gérer la connexion à CourseNotification (état, test, avertissements)';
$string['coursenotification:managecourse'] = 'Modifier les réglages CourseNotification d\'un cours et envoyer des messages de test';
$string['coursenotification:viewcourse'] = 'Voir les compteurs et les pages CourseNotification d\'un cours';
$string['coursenotification:viewstate'] = 'Lire l\'état d\'un cours pour CourseNotification (dates et statut des inscriptions, noms, courriels, langue, fuseau horaire)';
$string['courses'] = 'Cours';
$string['courses_desc'] = 'Identifiants des cours concernés, séparés par des virgules. Vide : tous les cours.';
$string['droppedwarning'] = '{$a->count} événements non livrés de plus de {$a->days} jours ont été retirés de la file d\'envoi (dernière fois : {$a->when}). Le service ne les a pas reçus : dès qu\'il est de nouveau joignable, lancez <code>php local/coursenotification/cli/backfill.php --all</code> pour lui envoyer l\'état actuel, puis confirmez cet avertissement.';
$string['error_badsecret'] = 'Le secret de signature doit être whsec_ suivi du base64 d\'au moins 16 octets.';
$string['error_nourl'] = 'Aucune adresse de service n\'est définie (Administration du site > Plugins > Plugins locaux > CourseNotification).';
$string['error_push'] = 'Impossible d\'envoyer l\'état du cours : {$a}';
$string['maxagedays'] = 'Conserver les événements non livrés (jours)';
$string['maxagedays_desc'] = 'Les événements que le service n\'a pas acceptés après ce nombre de jours sont supprimés, avec un avertissement sur la page d\'état et dans les vérifications du site jusqu\'à confirmation. 0 : les garder jusqu\'à leur livraison.';
$string['maxbackoff'] = 'Attente maximale entre deux essais';
$string['maxbackoff_desc'] = 'Après un échec, les événements attendent 1, 2, 4, 8... minutes avant l\'essai suivant, jusqu\'à cette durée. Dès qu\'un envoi passe, les événements en attente après une panne partent aussitôt.';
$string['never'] = 'Jamais';
$string['now'] = 'Maintenant';
$string['pluginname'] = 'CourseNotification';
$string['privacy:metadata:access'] = 'Quand un enseignant suit le lien vers les pages CourseNotification d\'un cours, Moodle envoie au service une autorisation signée qui le nomme, pour que les pages montrent et enregistrent l\'auteur d\'une modification.';
$string['privacy:metadata:access:courseid'] = 'Le cours concerné.';
$string['privacy:metadata:access:fullname'] = 'Le nom complet de l\'enseignant.';
$string['privacy:metadata:access:lang'] = 'La langue de l\'enseignant, pour celle des pages.';
$string['privacy:metadata:access:userid'] = 'L\'identifiant de l\'enseignant.';
$string['privacy:metadata:outbox'] = 'Événements en attente d\'envoi au service CourseNotification. Une ligne est supprimée dès que le service l\'a acceptée.';
$string['privacy:metadata:outbox:courseid'] = 'Le cours de l\'événement.';
$string['privacy:metadata:outbox:eventname'] = 'Le type d\'événement.';
$string['privacy:metadata:outbox:payload'] = 'L\'événement tel que Moodle l\'enregistre (qui, quoi, quand, utilisateur concerné, détails).';
$string['privacy:metadata:outbox:relateduserid'] = 'La personne concernée par l\'événement.';
$string['privacy:metadata:outbox:timecreated'] = 'Le moment de l\'événement.';
$string['privacy:metadata:outbox:userid'] = 'La personne qui a agi.';
$string['privacy:metadata:service'] = 'Le service CourseNotification envoie aux apprenants des rappels et des questionnaires sur leurs cours ; il reçoit les événements ci-dessus et l\'état actuel des cours, inscriptions et personnes concernés.';
$string['privacy:metadata:service:access'] = 'Premier et dernier accès au site, dernier accès au cours, dernière connexion.';
$string['privacy:metadata:service:completion'] = 'Date d\'achèvement du cours.';
$string['privacy:metadata:service:email'] = 'Adresse de courriel.';
$string['privacy:metadata:service:enrolments'] = 'Inscriptions : méthode, statut, dates de début et de fin.';
$string['privacy:metadata:service:events'] = 'Les événements (inscriptions, changements de rôle, consultation et achèvement des activités, connexions, modifications du profil, suppression).';
$string['privacy:metadata:service:fullname'] = 'Prénom et nom.';
$string['privacy:metadata:service:idnumber'] = 'Numéro d\'identification.';
$string['privacy:metadata:service:lang'] = 'Langue préférée.';
$string['privacy:metadata:service:roles'] = 'Rôles dans le cours.';
$string['privacy:metadata:service:suspended'] = 'Compte suspendu ou non.';
$string['privacy:metadata:service:timezone'] = 'Fuseau horaire.';
$string['privacy:metadata:service:userid'] = 'Identifiant de l\'utilisateur.';
$string['privacy:metadata:service:username'] = 'Nom d\'utilisateur.';
$string['privacy:outbox'] = 'Événements en attente d\'envoi';
$string['retrynow'] = 'Réessayer maintenant tous les événements en attente';
$string['retryqueued'] = '{$a} événements en attente sont à envoyer maintenant ; la livraison aura lieu au prochain passage du cron.';
$string['secret'] = 'Secret de signature';
$string['secret_desc'] = 'Secret Standard Webhooks (whsec_ suivi de base64), généré à l\'installation. Donnez la même valeur au service (Moodle__WebhookSecrets). Pour le changer : ajoutez le nouveau secret au service à côté de l\'ancien, changez-le ici, puis retirez l\'ancien du service.';
$string['settings'] = 'Réglages';
$string['settings_intro'] = 'Envoie les événements qu\'utilise le service CourseNotification, avec l\'état actuel des inscriptions, personnes et cours concernés, par lots signés.';
$string['signal_closed'] = 'Fin d\'accès';
$string['signal_completed'] = 'Terminé';
$string['signal_end'] = 'Fin d\'accès dans {$a} jours';
$string['signal_firstcall'] = 'Première relance';
$string['signal_inactive'] = 'Inactivité';
$string['signal_secondcall'] = 'Deuxième relance';
$string['signal_welcome'] = 'Bienvenue';
$string['status_backfill'] = 'Dernier rattrapage';
$string['status_backlog'] = 'Événements en attente';
$string['status_col_attempts'] = 'Essais échoués';
$string['status_col_course'] = 'Cours';
$string['status_col_error'] = 'Dernière erreur';
$string['status_col_event'] = 'Événement';
$string['status_col_next'] = 'Prochain essai';
$string['status_col_time'] = 'Moment';
$string['status_deliveredtotal'] = 'Événements livrés depuis l\'installation';
$string['status_droppedtotal'] = 'Événements supprimés sans livraison (limite d\'âge) depuis l\'installation';
$string['status_due'] = 'À envoyer maintenant';
$string['status_events'] = '{$a} événements';
$string['status_failing'] = 'En attente après un échec';
$string['status_lastdelivery'] = 'Dernière livraison';
$string['status_lasterror'] = 'Dernière erreur';
$string['status_oldest'] = 'Plus ancien événement en attente';
$string['status_oldestrows'] = 'Plus anciens événements en attente';
$string['status_url'] = 'Adresse du service';
$string['statuspage'] = 'État des livraisons';
$string['task_deliver'] = 'Livrer les événements à CourseNotification';
$string['task_deliver_now'] = 'Livrer les nouveaux événements à CourseNotification';
$string['task_push_course'] = 'Envoyer l\'état d\'un cours à CourseNotification';
$string['test_answer'] = 'Réponse';
$string['test_duration'] = 'Durée';
$string['test_failed'] = 'Le service n\'a pas accepté le ping : {$a}';
$string['test_id'] = 'webhook-id';
$string['test_intro'] = 'Envoie un ping signé (type moodle.ping, sans donnée personnelle) à {$a} et affiche la réponse.';
$string['test_ok'] = 'Le service a accepté le ping (HTTP {$a->status}, {$a->ms} ms).';
$string['test_send'] = 'Envoyer un ping de test';
$string['test_status'] = 'Statut HTTP';
$string['testconnection'] = 'Tester la connexion';
$string['timeago'] = 'il y a {$a}';
$string['timeout'] = 'Délai d\'attente (secondes)';
$string['timeout_desc'] = 'Durée d\'attente de la réponse du service avant de compter l\'essai comme échoué.';
$string['url'] = 'Adresse du service';
$string['url_desc'] = 'Où les envois sont postés, par ex. https://app.azurewebsites.net/api/moodle/events?code=CLÉ. Vide : rien n\'est enregistré. Les réglages de sécurité HTTP de Moodle s\'appliquent (hôtes bloqués et ports autorisés), ainsi que son proxy.';
