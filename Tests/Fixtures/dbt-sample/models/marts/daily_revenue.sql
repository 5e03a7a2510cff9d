select date_trunc('day', p.created_at) as day, sum(p.amount) as revenue, count(distinct o.order_id) as orders
from {{ ref('stg_payments') }} as p
join {{ ref('stg_orders') }} as o on o.order_id = p.order_id
group by 1
