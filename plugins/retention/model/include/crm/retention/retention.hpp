// Umbrella header for crm_retention_model: includes every public header.
#ifndef CRM_RETENTION_RETENTION_HPP_
#define CRM_RETENTION_RETENTION_HPP_

#include "crm/retention/bgnbd.hpp"
#include "crm/retention/churn.hpp"
#include "crm/retention/clv.hpp"
#include "crm/retention/dates.hpp"
#include "crm/retention/errors.hpp"
#include "crm/retention/gamma_gamma.hpp"
#include "crm/retention/history.hpp"
#include "crm/retention/optimizer.hpp"
#include "crm/retention/purchase_readers.hpp"
#include "crm/retention/purchases.hpp"
#include "crm/retention/rfm.hpp"
#include "crm/retention/simulation.hpp"
#include "crm/retention/special_functions.hpp"
#include "crm/retention/transactions.hpp"
#include "crm/retention/value_classes.hpp"

#endif  // CRM_RETENTION_RETENTION_HPP_
